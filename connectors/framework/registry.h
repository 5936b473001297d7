#pragma once
// The one place where connector types are registered, by name. Adding a vendor means adding one
// entry in builtin_connectors() (registry.cc); nothing registers itself.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "framework/connector.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace opsync {

struct ConnectorType {
  std::string name;  ///< the `type:` value in the configuration
  /// Reads the instance's settings with the type's schema, reporting every problem.
  std::function<void(const ConnectorConfig&, Diagnostics&)> check;
  /// Builds an instance from valid settings. May throw (start-up, not the data path).
  std::function<std::unique_ptr<Connector>(const ConnectorConfig&, boost::asio::io_context&)>
      create;
};

class ConnectorRegistry {
 public:
  /// Throws std::invalid_argument on an empty or duplicate name or missing functions.
  void add(ConnectorType type);
  const ConnectorType* find(const std::string& type) const;
  std::vector<std::string> names() const;

  /// For load_config/check_config: an unknown `type:` is reported as "unknown connector type
  /// 'x' (known: a, b)"; a known one runs its check.
  ConnectorCheck config_check() const;

  /// Builds every enabled instance of `config`, in file order. Throws std::invalid_argument
  /// naming an unknown type (config_check() reports it earlier, with its position).
  std::vector<std::unique_ptr<Connector>> create_all(const std::vector<ConnectorConfig>& config,
                                                     boost::asio::io_context& io) const;

 private:
  std::map<std::string, ConnectorType> types_;
};

/// The connector types this build knows (connectors/builtin/builtin_connectors.cc).
const ConnectorRegistry& builtin_connectors();

}  // namespace opsync
