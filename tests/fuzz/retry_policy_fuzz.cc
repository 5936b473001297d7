// libFuzzer target for the server's pacing headers: retry_after_delay, rate_limit_reset_delay,
// server_requested_delay and retry_delay on any status and header values. They must never crash
// or overflow (UBSan), and what they return must respect the documented bounds.
//
// Input: "STATUS\n" (optional; 429 when absent), then "Name: value" lines (the header fields).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "common/retry_policy.h"
#include "fuzz_input.h"

namespace {

using std::chrono::milliseconds;

[[noreturn]] void fail(const char* what, long long value) {
  std::fprintf(stderr, "retry policy: %s (%lld ms)\n", what, value);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const opsync::fuzz::Response response = opsync::fuzz::parse_response(rest, 429);

  // A fixed "now" (2024-06-01T00:00:00Z) and its neighbours at the edges of the clock's range.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'717'200'000));
  opsync::BackoffConfig config;
  config.max_delay = milliseconds(300'000);

  for (const auto at : {now, std::chrono::system_clock::time_point{}}) {
    if (auto d = opsync::retry_after_delay(response.headers, at); d && *d < milliseconds(0)) {
      fail("negative Retry-After delay", d->count());
    }
    if (auto d = opsync::rate_limit_reset_delay(response.status, response.headers, at);
        d && *d < milliseconds(0)) {
      fail("negative rate-limit reset delay", d->count());
    }
    if (auto d = opsync::server_requested_delay(config, response.status, response.headers, at);
        d && (*d < milliseconds(0) || *d > config.max_delay)) {
      fail("server_requested_delay outside [0, max_delay]", d->count());
    }
    const auto asked =
        opsync::server_requested_delay(config, response.status, response.headers, at);
    std::mt19937_64 rng(size);
    for (unsigned attempt : {0u, 3u, 64u, 4'000'000'000u}) {
      const milliseconds d = opsync::retry_delay(config, attempt, asked, rng);
      if (d < milliseconds(0) || d > config.max_delay) {
        fail("retry_delay outside [0, max_delay]", d.count());
      }
    }
  }
  (void)opsync::classify_status(response.status);
  return 0;
}
