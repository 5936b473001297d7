#pragma once
// RFC 3339 timestamps, as CloudEvents `time` carries them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opsync {

/// Parses an RFC 3339 date-time ("2026-11-22T10:15:00Z", "2026-11-22T12:15:00.250+02:00") to
/// milliseconds since the Unix epoch. Fractional seconds beyond milliseconds are truncated; a
/// leap second (:60) counts as the first second of the next minute. Accepts `t`/`z` and a space
/// for `T`, as RFC 3339 section 5.6 permits. Returns nullopt for anything else, including
/// impossible dates (2026-02-30) and offsets past +-23:59.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

/// Formats milliseconds since the Unix epoch as UTC, "2026-11-22T10:15:00.250Z" (years 0-9999;
/// parse_rfc3339_ms reads it back).
std::string format_rfc3339_ms(std::int64_t ms);

}  // namespace opsync
