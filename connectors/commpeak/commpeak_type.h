#pragma once
// The `commpeak` connector type, for the registry (framework/registry.cc).

#include "framework/registry.h"

namespace opsync {

/// Name `commpeak`: checks settings with commpeak_settings_schema() and builds a
/// CommPeakConnector over an HttpClient.
ConnectorType commpeak_connector_type();

}  // namespace opsync
