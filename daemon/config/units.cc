#include "config/units.h"

#include <array>
#include <charconv>
#include <cstddef>
#include <limits>
#include <utility>

namespace opsync {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Longest suffix first where one is a prefix of another (`ms` before `m`).
constexpr std::array<Unit, 5> kDurationUnits{{
    {"ms", 1},
    {"s", 1000},
    {"m", 60'000},
    {"h", 3'600'000},
    {"d", 86'400'000},
}};

constexpr std::array<Unit, 4> kSizeUnits{{
    {"B", 1},
    {"KiB", std::uint64_t{1} << 10},
    {"MiB", std::uint64_t{1} << 20},
    {"GiB", std::uint64_t{1} << 30},
}};

// Reads the leading decimal digits of `text`; nullopt when there are none or they overflow.
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  if (n == 0) return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, value);
  if (ec != std::errc{} || ptr != text.data() + n) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

bool multiply_add(std::uint64_t& total, std::uint64_t value, std::uint64_t factor,
                  std::uint64_t limit) {
  if (value != 0 && factor > limit / value) return false;
  const std::uint64_t product = value * factor;
  if (product > limit - total) return false;
  total += product;
  return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds::zero();
  if (text.empty()) return std::nullopt;
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t total = 0;
  while (!text.empty()) {
    const auto value = take_number(text);
    if (!value) return std::nullopt;
    const Unit* unit = nullptr;
    for (const auto& u : kDurationUnits) {
      if (text.starts_with(u.suffix)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    if (!multiply_add(total, *value, unit->factor, kLimit)) return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

std::string format_duration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms == 0) return "0s";
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    const auto factor = static_cast<std::int64_t>(it->factor);
    if (ms % factor == 0) return std::to_string(ms / factor) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";  // unreachable: every count divides by 1
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  const auto value = take_number(text);
  if (!value) return std::nullopt;
  if (text.empty()) return value;
  for (const auto& u : kSizeUnits) {
    if (text == u.suffix) {
      std::uint64_t total = 0;
      if (!multiply_add(total, *value, u.factor, std::numeric_limits<std::uint64_t>::max())) {
        return std::nullopt;
      }
      return total;
    }
  }
  return std::nullopt;
}

std::string format_byte_size(std::uint64_t bytes) {
  for (auto it = kSizeUnits.rbegin(); it != kSizeUnits.rend(); ++it) {
    if (it->factor > 1 && bytes != 0 && bytes % it->factor == 0) {
      return std::to_string(bytes / it->factor) + std::string(it->suffix);
    }
  }
  return std::to_string(bytes);
}

}  // namespace opsync
