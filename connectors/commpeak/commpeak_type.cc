#include "commpeak/commpeak_type.h"

#include <memory>
#include <utility>

#include "common/http_client.h"
#include "commpeak/commpeak_connector.h"
#include "commpeak/commpeak_settings.h"

namespace opsync {

ConnectorType commpeak_connector_type() {
  ConnectorType type;
  type.name = "commpeak";
  type.check = [](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    (void)read_connector_settings(connector, commpeak_settings_schema(), diagnostics);
  };
  type.create = [](const ConnectorConfig& connector,
                   boost::asio::io_context& io) -> std::unique_ptr<Connector> {
    CommPeakSettings settings = load_connector_settings(connector, commpeak_settings_schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    options.max_connections = settings.concurrency;
    options.connect_timeout = settings.connect_timeout;
    options.request_timeout = settings.request_timeout;
    auto client = std::make_unique<HttpClient>(io, std::move(options));
    return std::make_unique<CommPeakConnector>(connector.name, std::move(settings),
                                               std::move(client));
  };
  return type;
}

}  // namespace opsync
