#include "framework/registry.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

namespace opsync {

void ConnectorRegistry::add(ConnectorType type) {
  if (type.name.empty() || !type.check || !type.create) {
    throw std::invalid_argument("connector type needs a name, a check and a factory");
  }
  const std::string name = type.name;
  if (!types_.emplace(name, std::move(type)).second) {
    throw std::invalid_argument("connector type '" + name + "' registered twice");
  }
}

const ConnectorType* ConnectorRegistry::find(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<std::string> ConnectorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, type] : types_) out.push_back(name);
  return out;
}

namespace {

std::string unknown_type_message(const ConnectorRegistry& registry, const std::string& type) {
  std::string known;
  for (const auto& name : registry.names()) known += (known.empty() ? "" : ", ") + name;
  return "unknown connector type '" + type + "' (known: " + (known.empty() ? "none" : known) + ")";
}

}  // namespace

ConnectorCheck ConnectorRegistry::config_check() const {
  return [this](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    const ConnectorType* type = find(connector.type);
    if (type == nullptr) {
      ReadContext ctx = connector_read_context(connector, diagnostics).child("type");
      ctx.error(connector.settings["type"], unknown_type_message(*this, connector.type));
      return;
    }
    type->check(connector, diagnostics);
  };
}

std::vector<std::unique_ptr<Connector>> ConnectorRegistry::create_all(
    const std::vector<ConnectorConfig>& config, boost::asio::io_context& io) const {
  std::vector<std::unique_ptr<Connector>> out;
  for (const auto& connector : config) {
    if (!connector.enabled) continue;
    const ConnectorType* type = find(connector.type);
    if (type == nullptr) {
      throw std::invalid_argument("connectors." + connector.name + ": " +
                                  unknown_type_message(*this, connector.type));
    }
    out.push_back(type->create(connector, io));
  }
  return out;
}

}  // namespace opsync
