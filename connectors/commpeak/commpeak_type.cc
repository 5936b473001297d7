#include "commpeak/commpeak_type.h"

#include "commpeak/commpeak_connector.h"
#include "commpeak/commpeak_settings.h"
#include "framework/http_connector_type.h"

namespace opsync {

ConnectorType commpeak_connector_type() {
  return http_connector_type<CommPeakConnector>("commpeak", commpeak_settings_schema);
}

}  // namespace opsync
