// The one place where the vendor connector types are registered, by name. A sixth vendor is a
// copy of a connector folder plus one line here (and its type in OPSYNC_CONNECTOR_TYPES in
// CMakeLists.txt).

#include "commpeak/commpeak_type.h"
#include "framework/registry.h"
#include "glia/glia_type.h"
#include "iadvize/iadvize_type.h"
#include "identitycall/identitycall_type.h"
#include "plugchat/plugchat_type.h"

namespace opsync {

const ConnectorRegistry& builtin_connectors() {
  static const ConnectorRegistry registry = [] {
    ConnectorRegistry r;
    r.add(commpeak_connector_type());
    r.add(glia_connector_type());
    r.add(iadvize_connector_type());
    r.add(identitycall_connector_type());
    r.add(plugchat_connector_type());
    return r;
  }();
  return registry;
}

}  // namespace opsync
