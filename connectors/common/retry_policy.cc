#include "common/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "common/http_date.h"

namespace opsync {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A non-negative decimal integer, the whole (trimmed) value; saturates instead of overflowing.
std::optional<std::uint64_t> parse_uint(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
      v = std::numeric_limits<std::uint64_t>::max();
    } else {
      v = v * 10 + d;
    }
  }
  return v;
}

/// Seconds as milliseconds, saturating at a value far beyond any max_delay.
milliseconds seconds_to_ms(std::uint64_t s) {
  constexpr std::uint64_t kMaxSeconds = std::uint64_t{1} << 40;  // ~35,000 years
  return milliseconds(static_cast<std::int64_t>(std::min(s, kMaxSeconds)) * 1000);
}

milliseconds until(system_clock::time_point when, system_clock::time_point now) {
  if (when <= now) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(when - now);
}

std::optional<std::string_view> first_header(const HttpHeaders& headers,
                                             std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (auto v = find_header(headers, name)) return v;
  }
  return std::nullopt;
}

}  // namespace

Outcome classify_status(unsigned status, bool reauth_already_tried) {
  if (status >= 200 && status < 300) return Outcome::ok;
  if (status == 408 || status == 425 || status == 429) return Outcome::retry;
  if (status >= 500 && status < 600) return Outcome::retry;
  if (status == 401) return reauth_already_tried ? Outcome::permanent : Outcome::reauth;
  return Outcome::permanent;
}

Outcome classify(const boost::system::error_code& error, unsigned status,
                 bool reauth_already_tried) {
  if (error) {
    if (error == HttpError::response_too_large || error == HttpError::invalid_request) {
      return Outcome::permanent;
    }
    return Outcome::retry;
  }
  if (status == 0) return Outcome::retry;
  return classify_status(status, reauth_already_tried);
}

milliseconds backoff_ceiling(const BackoffConfig& config, unsigned attempt) {
  const std::int64_t base = std::max<std::int64_t>(config.base.count(), 0);
  const std::int64_t cap = std::max<std::int64_t>(config.cap.count(), 0);
  if (base == 0) return milliseconds(0);
  // base * 2^attempt >= cap as soon as attempt >= log2(cap / base); check without overflow.
  if (attempt >= 62 || base > (cap >> attempt)) return milliseconds(cap);
  return milliseconds(base << attempt);
}

milliseconds backoff_delay(const BackoffConfig& config, unsigned attempt, std::mt19937_64& rng) {
  const std::int64_t ceiling = backoff_ceiling(config, attempt).count();
  std::uniform_int_distribution<std::int64_t> dist(0, ceiling);
  return std::min(milliseconds(dist(rng)), config.max_delay);
}

std::optional<milliseconds> retry_after_delay(const HttpHeaders& headers,
                                              system_clock::time_point now) {
  const auto value = find_header(headers, "Retry-After");
  if (!value) return std::nullopt;
  if (auto secs = parse_uint(*value)) return seconds_to_ms(*secs);
  if (auto date = parse_http_date(trim(*value), now)) return until(*date, now);
  return std::nullopt;
}

std::optional<milliseconds> rate_limit_reset_delay(unsigned status, const HttpHeaders& headers,
                                                   system_clock::time_point now) {
  const auto remaining = first_header(
      headers, {"X-RateLimit-Remaining", "X-Rate-Limit-Remaining", "RateLimit-Remaining"});
  const bool exhausted = status == 429 || (remaining && parse_uint(*remaining) == 0u);
  if (!exhausted) return std::nullopt;
  const auto reset =
      first_header(headers, {"X-RateLimit-Reset", "X-Rate-Limit-Reset", "RateLimit-Reset"});
  if (!reset) return std::nullopt;
  const auto value = parse_uint(*reset);
  if (!value) return std::nullopt;
  constexpr std::uint64_t kEpochThreshold = 1'000'000'000;  // 2001-09-09 as epoch seconds
  if (*value >= kEpochThreshold) {
    // Clamp to what system_clock (nanoseconds in int64) can hold: about year 2262.
    constexpr std::uint64_t kMaxEpoch = 9'000'000'000;
    const auto when = system_clock::time_point(seconds_to_ms(std::min(*value, kMaxEpoch)));
    return until(when, now);
  }
  return seconds_to_ms(*value);
}

std::optional<milliseconds> server_requested_delay(const BackoffConfig& config, unsigned status,
                                                   const HttpHeaders& headers,
                                                   system_clock::time_point now) {
  auto a = retry_after_delay(headers, now);
  auto b = rate_limit_reset_delay(status, headers, now);
  if (!a && !b) return std::nullopt;
  const milliseconds longest = std::max(a.value_or(milliseconds(0)), b.value_or(milliseconds(0)));
  return std::min(longest, config.max_delay);
}

milliseconds retry_delay(const BackoffConfig& config, unsigned attempt,
                         std::optional<milliseconds> server_delay, std::mt19937_64& rng) {
  milliseconds delay = backoff_delay(config, attempt, rng);
  if (server_delay) delay = std::max(delay, *server_delay);
  return std::min(delay, config.max_delay);
}

}  // namespace opsync
