#pragma once
// The ConnectorType of a vendor connector that talks HTTP: every vendor's type is this template
// with its own settings, schema and connector class (glia/glia_type.cc and the others).

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>

#include "common/http_client.h"
#include "common/request_budget.h"
#include "config/config.h"
#include "config/schema.h"
#include "framework/registry.h"

namespace opsync {

/// Type `name`: `check` reads an instance's settings with `schema()`, reporting every problem;
/// `create` loads them and builds `C(instance name, settings, HttpClient)`, the client pointed at
/// `settings.base_url` with `settings.concurrency` connections and the settings' connect and
/// request timeouts, behind a MeteredTransport: every request of the instance (reads and token
/// calls included) takes a token of one RequestBudget built from the settings' limits(), which
/// the connector exposes as request_budget(). `C` takes the transport as a std::shared_ptr.
template <class C, class Settings>
ConnectorType http_connector_type(std::string name, const Schema<Settings>& (*schema)()) {
  ConnectorType type;
  type.name = std::move(name);
  type.check = [schema](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    (void)read_connector_settings(connector, schema(), diagnostics);
  };
  type.create = [schema](const ConnectorConfig& connector,
                         boost::asio::io_context& io) -> std::unique_ptr<Connector> {
    Settings settings = load_connector_settings(connector, schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    options.max_connections = settings.concurrency;
    options.connect_timeout = settings.connect_timeout;
    options.request_timeout = settings.request_timeout;
    const DeliveryLimits limits = settings.limits();
    auto budget = std::make_shared<RequestBudget>(limits.rate_per_second, limits.burst,
                                                  limits.background_share);
    auto transport = std::make_shared<MeteredTransport>(
        std::make_shared<HttpClient>(io, std::move(options)), std::move(budget));
    return std::make_unique<C>(connector.name, std::move(settings), std::move(transport));
  };
  return type;
}

}  // namespace opsync
