#include "plugchat/plugchat_type.h"

#include "framework/http_connector_type.h"
#include "plugchat/plugchat_connector.h"
#include "plugchat/plugchat_settings.h"

namespace opsync {

ConnectorType plugchat_connector_type() {
  return http_connector_type<PlugChatConnector>("plugchat", plugchat_settings_schema);
}

}  // namespace opsync
