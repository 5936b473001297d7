#include "identitycall/identitycall_type.h"

#include "framework/http_connector_type.h"
#include "identitycall/identitycall_connector.h"
#include "identitycall/identitycall_settings.h"

namespace opsync {

ConnectorType identitycall_connector_type() {
  return http_connector_type<IdentityCallConnector>("identitycall", identitycall_settings_schema);
}

}  // namespace opsync
