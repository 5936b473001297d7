#pragma once
// The `plugchat` connector type, for the registry (framework/registry.cc).

#include "framework/registry.h"

namespace opsync {

/// Name `plugchat`: checks settings with plugchat_settings_schema() and builds a
/// PlugChatConnector over an HttpClient.
ConnectorType plugchat_connector_type();

}  // namespace opsync
