#include "framework/vendor_call.h"

namespace opsync {

namespace {

HttpResult from_auth_failure(const AuthResult& auth) {
  HttpResult out;
  if (auth.retryable() || auth.status == 0) {
    out.error = auth.error;
  } else {
    out.status = auth.status;
  }
  out.body = auth.message;
  return out;
}

}  // namespace

boost::asio::awaitable<HttpResult> send_with_auth(HttpTransport& transport, AuthProvider& auth,
                                                  HttpRequest& request) {
  for (int attempt = 0;; ++attempt) {
    AuthResult credentials = co_await auth.apply(request);
    if (!credentials.ok()) co_return from_auth_failure(credentials);
    HttpResult result = co_await transport.request(request);
    if (result.error || result.status != 401 || attempt > 0) co_return result;
    auth.invalidate();
  }
}

}  // namespace opsync
