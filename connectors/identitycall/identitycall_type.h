#pragma once
// The `identitycall` connector type for the registry (framework/registry.cc adds it by name).

#include "framework/registry.h"

namespace opsync {

/// name `identitycall`; check reads the settings with identitycall_settings_schema(); create
/// builds an IdentityCallConnector over an HttpClient on the io_context.
ConnectorType identitycall_connector_type();

}  // namespace opsync
