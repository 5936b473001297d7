// libFuzzer target for parse_http_date: any text gives a time or nullopt, never a crash or an
// overflow (UBSan); a parsed time formats as an IMF-fixdate that parses back to the same second.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/http_date.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // "now" matters for RFC 850 two-digit years: try today and the clock's epoch.
  for (const auto now : {std::chrono::system_clock::time_point(std::chrono::seconds(1'717'200'000)),
                         std::chrono::system_clock::time_point{}}) {
    const auto parsed = opsync::parse_http_date(text, now);
    if (!parsed) continue;
    const std::string formatted = opsync::format_http_date(*parsed);
    const auto again = opsync::parse_http_date(formatted, now);
    if (!again || *again != std::chrono::floor<std::chrono::seconds>(*parsed)) {
      std::fprintf(stderr, "http date: '%.*s' parsed, formatted as '%s', which %s\n",
                   static_cast<int>(text.size()), text.data(), formatted.c_str(),
                   again ? "parses to another time" : "does not parse");
      std::abort();
    }
  }
  return 0;
}
