#pragma once
// How each C++ member type is read from a YAML value and shown in the documentation.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/read_context.h"
#include "config/secret.h"
#include "config/units.h"

namespace opsync {

/// How a member type is read and described. Supported: std::string, bool, double, every integer
/// type, std::chrono::duration (written `500ms`, `10s`, `5m`, `2h`, `7d`), Secret, and
/// std::optional, std::vector and std::map<std::string, ...> of those. `std::vector<std::string>`
/// also accepts one comma-separated string, so a whole list can come from one `${VAR}`.
template <class M>
struct ValueCodec;

namespace schema_detail {
std::optional<std::int64_t> read_signed(const YAML::Node& node, const ReadContext& ctx,
                                        std::int64_t min, std::int64_t max);
std::optional<std::uint64_t> read_unsigned(const YAML::Node& node, const ReadContext& ctx,
                                           std::uint64_t max);
std::optional<std::uint64_t> read_byte_size(const YAML::Node& node, const ReadContext& ctx,
                                            std::uint64_t max);
std::optional<std::chrono::milliseconds> read_duration(const YAML::Node& node,
                                                       const ReadContext& ctx);
/// Calls `each` for every element of a list; records an error if `node` is not a list.
bool for_each_element(
    const YAML::Node& node, const ReadContext& ctx,
    const std::function<bool(const YAML::Node& element, const ReadContext& element_ctx)>& each);
/// Calls `each` for every entry of a mapping with a plain-string key; records an error if
/// `node` is not a mapping, for non-string keys and for duplicate keys.
bool for_each_entry(
    const YAML::Node& node, const ReadContext& ctx,
    const std::function<bool(std::string_view name, const YAML::Node& key, const YAML::Node& value,
                             const ReadContext& entry_ctx)>& each);
std::string plural(std::string type);
}  // namespace schema_detail

template <>
struct ValueCodec<std::string> {
  static std::string type_name() { return "string"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, std::string& out);
  static std::string describe(const std::string& value) { return value; }
};

template <>
struct ValueCodec<bool> {
  static std::string type_name() { return "boolean"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, bool& out);
  static std::string describe(bool value) { return value ? "true" : "false"; }
};

template <>
struct ValueCodec<double> {
  static std::string type_name() { return "number"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, double& out);
  static std::string describe(double value);
};

template <>
struct ValueCodec<Secret> {
  static std::string type_name() { return "secret"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, Secret& out);
  static std::string describe(const Secret&) { return {}; }
};

/// The integer types (bool has a codec of its own).
template <class I>
concept ConfigInteger = std::integral<I> && !std::same_as<I, bool>;

template <ConfigInteger I>
struct ValueCodec<I> {
  static std::string type_name() { return "integer"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, I& out) {
    if constexpr (std::is_signed_v<I>) {
      const auto v = schema_detail::read_signed(node, ctx, std::numeric_limits<I>::min(),
                                                std::numeric_limits<I>::max());
      if (v) out = static_cast<I>(*v);
      return v.has_value();
    } else {
      const auto v = schema_detail::read_unsigned(node, ctx, std::numeric_limits<I>::max());
      if (v) out = static_cast<I>(*v);
      return v.has_value();
    }
  }
  static std::string describe(I value) { return std::to_string(value); }
};

template <class Rep, class Period>
struct ValueCodec<std::chrono::duration<Rep, Period>> {
  using Duration = std::chrono::duration<Rep, Period>;
  static_assert(std::is_integral_v<Rep>, "durations are read into integral representations");

  static std::string type_name() { return "duration"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, Duration& out) {
    const auto ms = schema_detail::read_duration(node, ctx);
    if (!ms) return false;
    if constexpr (std::ratio_greater_v<Period, std::milli>) {
      const auto unit = std::chrono::duration_cast<std::chrono::milliseconds>(Duration{1});
      if (*ms % unit != std::chrono::milliseconds::zero()) {
        ctx.error(node, "must be a whole multiple of " + format_duration(unit));
        return false;
      }
    } else if constexpr (std::ratio_less_v<Period, std::milli>) {
      if (*ms > std::chrono::duration_cast<std::chrono::milliseconds>(Duration::max())) {
        ctx.error(node, "is too long");
        return false;
      }
    }
    out = std::chrono::duration_cast<Duration>(*ms);
    return true;
  }
  static std::string describe(const Duration& value) {
    return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(value));
  }
};

template <class M>
struct ValueCodec<std::optional<M>> {
  static std::string type_name() { return ValueCodec<M>::type_name(); }
  static bool read(const YAML::Node& node, const ReadContext& ctx, std::optional<M>& out) {
    M value{};
    if (!ValueCodec<M>::read(node, ctx, value)) return false;
    out = std::move(value);
    return true;
  }
  static std::string describe(const std::optional<M>& value) {
    return value ? ValueCodec<M>::describe(*value) : std::string();
  }
};

template <>
struct ValueCodec<std::vector<std::string>> {
  static std::string type_name() { return "list of strings"; }
  static bool read(const YAML::Node& node, const ReadContext& ctx, std::vector<std::string>& out);
  static std::string describe(const std::vector<std::string>& value);
};

template <class M>
struct ValueCodec<std::vector<M>> {
  static std::string type_name() {
    return "list of " + schema_detail::plural(ValueCodec<M>::type_name());
  }
  static bool read(const YAML::Node& node, const ReadContext& ctx, std::vector<M>& out) {
    std::vector<M> values;
    const bool ok = schema_detail::for_each_element(
        node, ctx, [&values](const YAML::Node& element, const ReadContext& element_ctx) {
          M value{};
          if (!ValueCodec<M>::read(element, element_ctx, value)) return false;
          values.push_back(std::move(value));
          return true;
        });
    if (ok) out = std::move(values);
    return ok;
  }
  static std::string describe(const std::vector<M>& value) {
    std::string out;
    for (const auto& v : value) out += (out.empty() ? "" : ", ") + ValueCodec<M>::describe(v);
    return value.empty() ? out : "[" + out + "]";
  }
};

template <class M>
struct ValueCodec<std::map<std::string, M>> {
  static std::string type_name() { return "map of string to " + ValueCodec<M>::type_name(); }
  static bool read(const YAML::Node& node, const ReadContext& ctx, std::map<std::string, M>& out) {
    std::map<std::string, M> values;
    const bool ok = schema_detail::for_each_entry(
        node, ctx,
        [&values](std::string_view name, const YAML::Node&, const YAML::Node& value,
                  const ReadContext& entry_ctx) {
          M parsed{};
          if (!ValueCodec<M>::read(value, entry_ctx, parsed)) return false;
          values.emplace(std::string(name), std::move(parsed));
          return true;
        });
    if (ok) out = std::move(values);
    return ok;
  }
  static std::string describe(const std::map<std::string, M>& value) {
    std::string out;
    for (const auto& [k, v] : value) {
      out += (out.empty() ? "" : ", ") + k + ": " + ValueCodec<M>::describe(v);
    }
    return value.empty() ? out : "{" + out + "}";
  }
};

}  // namespace opsync
