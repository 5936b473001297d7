#include "plugchat/plugchat_type.h"

#include <memory>
#include <utility>

#include "common/http_client.h"
#include "plugchat/plugchat_connector.h"
#include "plugchat/plugchat_settings.h"

namespace opsync {

ConnectorType plugchat_connector_type() {
  ConnectorType type;
  type.name = "plugchat";
  type.check = [](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    (void)read_connector_settings(connector, plugchat_settings_schema(), diagnostics);
  };
  type.create = [](const ConnectorConfig& connector,
                   boost::asio::io_context& io) -> std::unique_ptr<Connector> {
    PlugChatSettings settings = load_connector_settings(connector, plugchat_settings_schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    options.max_connections = settings.concurrency;
    options.connect_timeout = settings.connect_timeout;
    options.request_timeout = settings.request_timeout;
    auto client = std::make_unique<HttpClient>(io, std::move(options));
    return std::make_unique<PlugChatConnector>(connector.name, std::move(settings),
                                               std::move(client));
  };
  return type;
}

}  // namespace opsync
