#pragma once
// Internal to the config module: positions, kinds and entries of yaml-cpp nodes, shared by the
// readers. Not for use outside daemon/config.

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/read_context.h"

namespace opsync::config_internal {

struct Position {
  int line = 0;    ///< 1-based; 0 when the node has no position
  int column = 0;  ///< 1-based
};

Position position_of(const YAML::Node& node);

/// "a mapping", "a list", "a scalar" or "nothing", for messages.
std::string kind_of(const YAML::Node& node);

/// The file's own text of a scalar, quoted and cut so that one line stays readable.
std::string quoted_raw(const YAML::Node& node);

/// One entry of a mapping. Nodes are copies: yaml-cpp's iterator proxies die with the expression.
struct Entry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};

/// The entries of a mapping in file order (none if `node` is not a mapping); non-string and
/// duplicate keys are left out, and reported to `ctx` when `report` is set.
std::vector<Entry> entries_of(const YAML::Node& node, const ReadContext& ctx, bool report);

const Entry* find_entry(const std::vector<Entry>& entries, std::string_view name);

}  // namespace opsync::config_internal
