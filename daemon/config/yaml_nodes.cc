#include "config/yaml_nodes.h"

#include <algorithm>

namespace opsync::config_internal {

Position position_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

// The file's own text of a scalar, for messages; cut so that one line stays readable.
std::string quoted_raw(const YAML::Node& node) {
  constexpr std::size_t kMax = 60;
  std::string raw = node.Scalar();
  if (raw.size() > kMax) raw = raw.substr(0, kMax) + "...";
  return "'" + raw + "'";
}

std::vector<Entry> entries_of(const YAML::Node& node, const ReadContext& ctx, bool report) {
  std::vector<Entry> entries;
  if (!node.IsMap()) return entries;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: `it->first` lives in a proxy that dies at the end of the expression.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      if (report) ctx.error(key, "mapping keys must be strings, got " + kind_of(key));
      continue;
    }
    const std::string& name = key.Scalar();
    const auto first = std::find_if(entries.begin(), entries.end(),
                                    [&name](const Entry& e) { return e.name == name; });
    if (first != entries.end()) {
      if (report) {
        ctx.child(name).error(key, "duplicate key (first given at line " +
                                       std::to_string(position_of(first->key).line) + ")");
      }
      continue;
    }
    entries.push_back(Entry{name, key, value});
  }
  return entries;
}

const Entry* find_entry(const std::vector<Entry>& entries, std::string_view name) {
  for (const Entry& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace opsync::config_internal
