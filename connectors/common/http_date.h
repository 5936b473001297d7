#pragma once
// HTTP-date (RFC 9110 section 5.6.7): parsing all three formats a recipient must accept, and
// formatting the preferred one.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace opsync {

/// Parses IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 form
/// ("Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year is placed in the century that makes it
/// not more than 50 years after `now`) and asctime ("Sun Nov  6 08:49:37 1994").
/// Returns nullopt for anything else, including out-of-range fields. The day name is not checked
/// against the date (as RFC 9110 allows).
std::optional<std::chrono::system_clock::time_point> parse_http_date(
    std::string_view text, std::chrono::system_clock::time_point now);

/// Formats `t` (truncated to seconds) as IMF-fixdate.
std::string format_http_date(std::chrono::system_clock::time_point t);

}  // namespace opsync
