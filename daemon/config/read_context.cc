#include "config/read_context.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include "config/yaml_nodes.h"

namespace opsync {

using config_internal::kind_of;
using config_internal::Position;
using config_internal::position_of;
using config_internal::quoted_raw;

ConfigEnvironment ConfigEnvironment::for_file(const std::string& config_file) {
  ConfigEnvironment env;
  env.lookup = process_env();
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0') {
    env.credentials_directory = dir;
  }
  env.config_directory = std::filesystem::path(config_file).parent_path().string();
  return env;
}

ReadContext::ReadContext(Diagnostics& diagnostics,
                         std::shared_ptr<const ConfigEnvironment> environment, std::string file,
                         std::string key_path)
    : diagnostics_(&diagnostics),
      environment_(std::move(environment)),
      file_(std::move(file)),
      key_path_(std::move(key_path)) {
  if (!environment_) environment_ = std::make_shared<const ConfigEnvironment>();
}

ReadContext ReadContext::child(std::string_view key) const {
  ReadContext c = *this;
  c.key_path_ = key_path_.empty() ? std::string(key) : key_path_ + "." + std::string(key);
  return c;
}

ReadContext ReadContext::element(std::size_t index) const {
  ReadContext c = *this;
  c.key_path_ = key_path_ + "[" + std::to_string(index) + "]";
  return c;
}

ReadContext ReadContext::anchored_at(const YAML::Node& key) const {
  ReadContext c = *this;
  const Position p = position_of(key);
  c.anchor_line_ = p.line;
  c.anchor_column_ = p.column;
  return c;
}

void ReadContext::error(const YAML::Node& at, std::string message) const {
  const Position p = position_of(at);
  error(p.line, p.column, std::move(message));
}

void ReadContext::warning(const YAML::Node& at, std::string message) const {
  const Position p = position_of(at);
  diagnostics_->warn(ConfigDiagnostic{file_, p.line, p.column, key_path_, std::move(message)});
}

void ReadContext::error(int line, int column, std::string message) const {
  diagnostics_->add(ConfigDiagnostic{file_, line, column, key_path_, std::move(message)});
}

void ReadContext::error_at_anchor(const YAML::Node& fallback, std::string message) const {
  if (anchor_line_ > 0) {
    error(anchor_line_, anchor_column_, std::move(message));
  } else {
    error(fallback, std::move(message));
  }
}

std::optional<std::string> ReadContext::scalar(const YAML::Node& node,
                                               std::string_view expected) const {
  if (!node.IsScalar()) {
    error(node, "expected " + std::string(expected) + ", got " + kind_of(node));
    return std::nullopt;
  }
  Expansion e = expand_variables(node.Scalar(), environment_->lookup);
  if (!e.ok()) {
    error(node, std::move(e.error));
    return std::nullopt;
  }
  return std::move(e.value);
}

void ReadContext::invalid(const YAML::Node& node, std::string_view expected) const {
  std::string message = "expected " + std::string(expected);
  if (node.IsScalar()) {
    message += ", got " + quoted_raw(node);
    if (node.Scalar().find("${") != std::string::npos) message += " (expanded value not shown)";
  } else {
    message += ", got " + kind_of(node);
  }
  error(node, std::move(message));
}

}  // namespace opsync
