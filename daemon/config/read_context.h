#pragma once
// Where a configuration value is read: file, key path, environment, and the collected problems.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/diagnostic.h"
#include "config/env_expansion.h"

namespace YAML {
class Node;
}

namespace opsync {

/// What values come from besides the YAML text.
struct ConfigEnvironment {
  /// Source of `${VAR}` values.
  EnvLookup lookup = process_env();
  /// Relative `X_file` paths resolve here when set (systemd's `$CREDENTIALS_DIRECTORY`)...
  std::optional<std::string> credentials_directory;
  /// ...and otherwise against the directory of the configuration file.
  std::string config_directory;

  /// The process environment, for a configuration read from `config_file`.
  [[nodiscard]] static ConfigEnvironment for_file(const std::string& config_file);
};

/// Where a value is being read: the file, the dotted key path, the environment, and the
/// Diagnostics that collect problems. Cheap to copy; child() and element() descend.
class ReadContext {
 public:
  ReadContext(Diagnostics& diagnostics, std::shared_ptr<const ConfigEnvironment> environment,
              std::string file, std::string key_path = {});

  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] const std::string& key_path() const noexcept { return key_path_; }
  [[nodiscard]] const ConfigEnvironment& environment() const noexcept { return *environment_; }
  [[nodiscard]] Diagnostics& diagnostics() const noexcept { return *diagnostics_; }

  /// The context of key `key` of this mapping: `a.b` + `c` -> `a.b.c`.
  [[nodiscard]] ReadContext child(std::string_view key) const;
  /// The context of element `index` of this list: `a.b` -> `a.b[2]`.
  [[nodiscard]] ReadContext element(std::size_t index) const;
  /// The same context, with problems about keys missing from this value reported at the
  /// position of `key` (the key whose value is being read) rather than at the value.
  [[nodiscard]] ReadContext anchored_at(const YAML::Node& key) const;
  /// Records `message` for this key path at the anchor (see anchored_at), or else at `fallback`.
  void error_at_anchor(const YAML::Node& fallback, std::string message) const;

  /// Records `message` for this key path at the position of `at`.
  void error(const YAML::Node& at, std::string message) const;
  /// Records a warning (Diagnostics::warn) for this key path at the position of `at`.
  void warning(const YAML::Node& at, std::string message) const;
  /// Records `message` for this key path at a 1-based position (0, 0: the whole file).
  void error(int line, int column, std::string message) const;

  /// The text of scalar `node` with `${VAR}` references expanded. Records an error and returns
  /// nullopt when the node is not a scalar (`expected` names what was wanted, e.g. "a string")
  /// or a reference cannot be expanded.
  [[nodiscard]] std::optional<std::string> scalar(const YAML::Node& node,
                                                  std::string_view expected) const;

  /// Records "expected <expected>, got '<text>'", quoting the value as written in the file,
  /// before `${VAR}` expansion, cut at 60 characters. Never call it for a secret.
  void invalid(const YAML::Node& node, std::string_view expected) const;

 private:
  Diagnostics* diagnostics_;
  std::shared_ptr<const ConfigEnvironment> environment_;
  std::string file_;
  std::string key_path_;
  int anchor_line_ = 0;
  int anchor_column_ = 0;
};

}  // namespace opsync
