#include "identitycall/identitycall_type.h"

#include <memory>

#include "common/http_client.h"
#include "identitycall/identitycall_connector.h"

namespace opsync {

ConnectorType identitycall_connector_type() {
  ConnectorType type;
  type.name = "identitycall";
  type.check = [](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    (void)read_connector_settings(connector, identitycall_settings_schema(), diagnostics);
  };
  type.create = [](const ConnectorConfig& connector,
                   boost::asio::io_context& io) -> std::unique_ptr<Connector> {
    IdentityCallSettings settings =
        load_connector_settings(connector, identitycall_settings_schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    options.max_connections = settings.concurrency;
    options.connect_timeout = settings.connect_timeout;
    options.request_timeout = settings.request_timeout;
    auto client = std::make_shared<HttpClient>(io, std::move(options));
    return std::make_unique<IdentityCallConnector>(connector.name, std::move(settings),
                                                   std::move(client));
  };
  return type;
}

}  // namespace opsync
