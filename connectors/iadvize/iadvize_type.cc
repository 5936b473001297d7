#include "iadvize/iadvize_type.h"

#include <memory>

#include "common/http_client.h"
#include "iadvize/iadvize_connector.h"
#include "iadvize/iadvize_settings.h"

namespace opsync {

ConnectorType iadvize_connector_type() {
  ConnectorType type;
  type.name = "iadvize";
  type.check = [](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    (void)read_connector_settings(connector, iadvize_settings_schema(), diagnostics);
  };
  type.create = [](const ConnectorConfig& connector,
                   boost::asio::io_context& io) -> std::unique_ptr<Connector> {
    IAdvizeSettings settings = load_connector_settings(connector, iadvize_settings_schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    options.max_connections = settings.concurrency;
    options.connect_timeout = settings.connect_timeout;
    options.request_timeout = settings.request_timeout;
    auto client = std::make_unique<HttpClient>(io, std::move(options));
    return std::make_unique<IAdvizeConnector>(connector.name, std::move(settings),
                                              std::move(client));
  };
  return type;
}

}  // namespace opsync
