#include "config/diagnostic.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace opsync {

std::string ConfigDiagnostic::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line) + ':' + std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) {
    out += key_path + ": ";
  }
  out += message;
  return out;
}

std::string to_string(const std::vector<ConfigDiagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.to_string();
  }
  return out;
}

void sort_by_position(std::vector<ConfigDiagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const ConfigDiagnostic& a, const ConfigDiagnostic& b) {
                     return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
                   });
}

ConfigError::ConfigError(std::vector<ConfigDiagnostic> diagnostics)
    : std::runtime_error(to_string(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::vector<ConfigDiagnostic> Diagnostics::take() {
  std::vector<ConfigDiagnostic> out = std::move(items_);
  items_.clear();
  sort_by_position(out);
  return out;
}

std::vector<ConfigDiagnostic> Diagnostics::take_warnings() {
  std::vector<ConfigDiagnostic> out = std::move(warnings_);
  warnings_.clear();
  sort_by_position(out);
  return out;
}

void Diagnostics::throw_if_any() {
  if (!items_.empty()) throw ConfigError(take());
}

}  // namespace opsync
