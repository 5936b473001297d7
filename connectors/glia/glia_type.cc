#include "glia/glia_type.h"

#include "framework/http_connector_type.h"
#include "glia/glia_connector.h"
#include "glia/glia_settings.h"

namespace opsync {

ConnectorType glia_connector_type() {
  return http_connector_type<GliaConnector>("glia", glia_settings_schema);
}

}  // namespace opsync
