#pragma once
// The `glia` connector type for the registry (framework/registry.cc adds it by name).

#include "framework/registry.h"

namespace opsync {

/// name `glia`; check reads the settings with glia_settings_schema(); create builds a
/// GliaConnector over an HttpClient on the io_context.
ConnectorType glia_connector_type();

}  // namespace opsync
