#include "config/value_codec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>

#include "config/yaml_nodes.h"

namespace opsync {
namespace {

using config_internal::entries_of;
using config_internal::Entry;
using config_internal::kind_of;

bool is_true(std::string_view s) {
  return s == "true" || s == "True" || s == "TRUE";
}
bool is_false(std::string_view s) {
  return s == "false" || s == "False" || s == "FALSE";
}

}  // namespace

namespace schema_detail {

std::optional<std::int64_t> read_signed(const YAML::Node& node, const ReadContext& ctx,
                                        std::int64_t min, std::int64_t max) {
  const auto text = ctx.scalar(node, "an integer");
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec == std::errc::result_out_of_range && ptr == text->data() + text->size()) {
    ctx.error(node, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  if (ec != std::errc{} || ptr != text->data() + text->size() || text->empty()) {
    ctx.invalid(node, "an integer");
    return std::nullopt;
  }
  if (value < min || value > max) {
    ctx.error(node, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> read_unsigned(const YAML::Node& node, const ReadContext& ctx,
                                           std::uint64_t max) {
  const auto text = ctx.scalar(node, "a non-negative integer");
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} && ec != std::errc::result_out_of_range) {
    ctx.invalid(node, "a non-negative integer");
    return std::nullopt;
  }
  if (ptr != text->data() + text->size() || text->empty()) {
    ctx.invalid(node, "a non-negative integer");
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value > max) {
    ctx.error(node, "must be from 0 to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> read_byte_size(const YAML::Node& node, const ReadContext& ctx,
                                            std::uint64_t max) {
  constexpr std::string_view kExpected = "a size such as 4096 (bytes), 512KiB or 1MiB";
  const auto text = ctx.scalar(node, kExpected);
  if (!text) return std::nullopt;
  const auto value = parse_byte_size(*text);
  if (!value) {
    ctx.invalid(node, kExpected);
    return std::nullopt;
  }
  if (*value > max) {
    ctx.error(node, "must be at most " + format_byte_size(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::milliseconds> read_duration(const YAML::Node& node,
                                                       const ReadContext& ctx) {
  constexpr std::string_view kExpected = "a duration such as 500ms, 10s, 5m, 2h or 7d";
  const auto text = ctx.scalar(node, kExpected);
  if (!text) return std::nullopt;
  const auto value = parse_duration(*text);
  if (!value) ctx.invalid(node, kExpected);
  return value;
}

bool for_each_element(
    const YAML::Node& node, const ReadContext& ctx,
    const std::function<bool(const YAML::Node& element, const ReadContext& element_ctx)>& each) {
  if (!node.IsSequence()) {
    ctx.error(node, "expected a list, got " + kind_of(node));
    return false;
  }
  bool ok = true;
  std::size_t index = 0;
  for (const YAML::Node& element : node) {
    if (!each(element, ctx.element(index))) ok = false;
    ++index;
  }
  return ok;
}

bool for_each_entry(
    const YAML::Node& node, const ReadContext& ctx,
    const std::function<bool(std::string_view name, const YAML::Node& key, const YAML::Node& value,
                             const ReadContext& entry_ctx)>& each) {
  if (!node.IsMap()) {
    ctx.error(node, "expected a mapping, got " + kind_of(node));
    return false;
  }
  const std::size_t before = ctx.diagnostics().size();
  bool ok = true;
  for (const Entry& e : entries_of(node, ctx, /*report=*/true)) {
    if (!each(e.name, e.key, e.value, ctx.child(e.name).anchored_at(e.key))) ok = false;
  }
  return ok && ctx.diagnostics().size() == before;
}

std::string plural(std::string type) {
  if (type.find(' ') == std::string::npos) type += 's';
  return type;
}

}  // namespace schema_detail

bool ValueCodec<std::string>::read(const YAML::Node& node, const ReadContext& ctx,
                                   std::string& out) {
  auto value = ctx.scalar(node, "a string");
  if (value) out = std::move(*value);
  return value.has_value();
}

bool ValueCodec<bool>::read(const YAML::Node& node, const ReadContext& ctx, bool& out) {
  const auto value = ctx.scalar(node, "true or false");
  if (!value) return false;
  if (is_true(*value)) {
    out = true;
  } else if (is_false(*value)) {
    out = false;
  } else {
    ctx.invalid(node, "true or false");
    return false;
  }
  return true;
}

bool ValueCodec<double>::read(const YAML::Node& node, const ReadContext& ctx, double& out) {
  const auto text = ctx.scalar(node, "a number");
  if (!text) return false;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size() || text->empty() ||
      !std::isfinite(value)) {
    ctx.invalid(node, "a number");
    return false;
  }
  out = value;
  return true;
}

std::string ValueCodec<double>::describe(double value) {
  return fmt::format("{}", value);
}

bool ValueCodec<Secret>::read(const YAML::Node& node, const ReadContext& ctx, Secret& out) {
  auto value = ctx.scalar(node, "a string");
  if (value) out = Secret(std::move(*value));
  return value.has_value();
}

bool ValueCodec<std::vector<std::string>>::read(const YAML::Node& node, const ReadContext& ctx,
                                                std::vector<std::string>& out) {
  if (node.IsScalar()) {
    // One string, comma-separated, so that a whole list can come from one ${VAR}.
    const auto text = ctx.scalar(node, "a list of strings");
    if (!text) return false;
    std::vector<std::string> values;
    std::string_view rest = *text;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item.empty()) {
        ctx.error(node, "has an empty element in its comma-separated list");
        return false;
      }
      values.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
      if (rest.empty()) {
        ctx.error(node, "has an empty element in its comma-separated list");
        return false;
      }
    }
    out = std::move(values);
    return true;
  }
  std::vector<std::string> values;
  const bool ok = schema_detail::for_each_element(
      node, ctx, [&values](const YAML::Node& element, const ReadContext& element_ctx) {
        std::string value;
        if (!ValueCodec<std::string>::read(element, element_ctx, value)) return false;
        values.push_back(std::move(value));
        return true;
      });
  if (ok) out = std::move(values);
  return ok;
}

std::string ValueCodec<std::vector<std::string>>::describe(const std::vector<std::string>& value) {
  std::string out;
  for (const auto& v : value) out += (out.empty() ? "" : ", ") + v;
  return value.empty() ? out : "[" + out + "]";
}

}  // namespace opsync
