#pragma once
// The `iadvize` connector type, for the registry (framework/registry.cc).

#include "framework/registry.h"

namespace opsync {

/// `type: iadvize`: checks settings with iadvize_settings_schema() and builds an IAdvizeConnector
/// over an HttpClient for the configured base_url.
ConnectorType iadvize_connector_type();

}  // namespace opsync
