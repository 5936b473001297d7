#pragma once
// Configuration problems: one ConfigDiagnostic per problem, all of them collected before failing.

#include <cstddef>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace opsync {

/// One problem found in a configuration file. Messages name keys, never secret values.
struct ConfigDiagnostic {
  std::string file;
  /// 1-based position of the offending YAML node; 0 and 0 when the problem concerns the whole
  /// file (missing, unreadable, empty).
  int line = 0;
  int column = 0;
  /// Dotted path of the key, e.g. `kafka.brokers[1]` or `connectors.glia_eu.base_url`; empty for
  /// problems that are not about one key (a YAML syntax error, an unreadable file).
  std::string key_path;
  std::string message;

  /// `FILE:LINE:COLUMN: KEY.PATH: message`; the position is left out when line is 0 and the key
  /// path when it is empty.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const ConfigDiagnostic&, const ConfigDiagnostic&) = default;
  friend std::ostream& operator<<(std::ostream& os, const ConfigDiagnostic& d) {
    return os << d.to_string();
  }
};

/// Joins diagnostics one per line, in the order given.
[[nodiscard]] std::string to_string(const std::vector<ConfigDiagnostic>& diagnostics);

/// Sorts by file, then position (whole-file problems first); stable, so problems at the same
/// position keep the order in which they were found.
void sort_by_position(std::vector<ConfigDiagnostic>& diagnostics);

/// Thrown by load_config() and load_connector_settings() when there is at least one problem.
/// what() is every diagnostic, one per line.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigDiagnostic> diagnostics);
  [[nodiscard]] const std::vector<ConfigDiagnostic>& diagnostics() const noexcept {
    return diagnostics_;
  }

 private:
  std::vector<ConfigDiagnostic> diagnostics_;
};

/// Collects diagnostics while a configuration is read, so that every problem is reported at once.
class Diagnostics {
 public:
  void add(ConfigDiagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] const std::vector<ConfigDiagnostic>& items() const noexcept { return items_; }
  /// Moves the collected diagnostics out, sorted by position.
  [[nodiscard]] std::vector<ConfigDiagnostic> take();
  /// Throws ConfigError with the collected diagnostics (sorted) if there are any. Warnings do
  /// not count.
  void throw_if_any();

  /// A warning: the configuration is valid, but something in it is unsafe (a secret written in
  /// clear text, a secret file others can read). Reported by `check-config` and logged at start
  /// and reload; never a reason to refuse the file.
  void warn(ConfigDiagnostic diagnostic) { warnings_.push_back(std::move(diagnostic)); }
  [[nodiscard]] const std::vector<ConfigDiagnostic>& warnings() const noexcept { return warnings_; }
  /// Moves the collected warnings out, sorted by position.
  [[nodiscard]] std::vector<ConfigDiagnostic> take_warnings();

 private:
  std::vector<ConfigDiagnostic> items_;
  std::vector<ConfigDiagnostic> warnings_;
};

}  // namespace opsync
