#pragma once
// One authenticated vendor call, with the "a 401 refreshes the credentials once" rule.

#include <boost/asio/awaitable.hpp>

#include "common/auth.h"
#include "common/http_transport.h"

namespace opsync {

/// Applies `auth` to `request` and sends it. On a 401 it invalidates the credentials, applies
/// them again and re-sends once. A failure to obtain credentials comes back as an HttpResult with
/// `error` set (retryable auth outage) or with the token endpoint's status (rejected keys).
/// `request` is left holding the last request sent (credentials included: redact before storing).
boost::asio::awaitable<HttpResult> send_with_auth(HttpTransport& transport, AuthProvider& auth,
                                                  HttpRequest& request);

}  // namespace opsync
