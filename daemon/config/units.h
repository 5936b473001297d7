#pragma once
// The textual forms of durations and byte sizes in the configuration file.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opsync {

/// Parses a duration: one or more `<digits><unit>` terms with unit `ms`, `s`, `m`, `h` or `d`,
/// e.g. `500ms`, `10s`, `5m`, `2h`, `7d`, `1h30m`. A bare `0` is also accepted. No sign, no
/// fractions, no spaces. Returns nullopt on any other text or on overflow.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// The shortest exact form in a single unit: 604800000ms -> `7d`, 90000ms -> `90s`, 0 -> `0s`.
[[nodiscard]] std::string format_duration(std::chrono::milliseconds duration);

/// Parses a byte size: a plain number of bytes (`4096`) or a number with unit `B`, `KiB`, `MiB`
/// or `GiB` (powers of 1024), e.g. `512KiB`, `1MiB`. Returns nullopt on any other text (including
/// the ambiguous `KB`/`MB`) or on overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_byte_size(std::string_view text);

/// The shortest exact form: 1048576 -> `1MiB`, 1536 -> `1536` (no unit divides it exactly).
[[nodiscard]] std::string format_byte_size(std::uint64_t bytes);

}  // namespace opsync
