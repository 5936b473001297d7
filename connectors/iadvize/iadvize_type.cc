#include "iadvize/iadvize_type.h"

#include "framework/http_connector_type.h"
#include "iadvize/iadvize_connector.h"
#include "iadvize/iadvize_settings.h"

namespace opsync {

ConnectorType iadvize_connector_type() {
  return http_connector_type<IAdvizeConnector>("iadvize", iadvize_settings_schema);
}

}  // namespace opsync
