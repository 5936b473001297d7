#pragma once
// The seam between code that makes vendor calls and the network: HttpClient implements it, tests
// substitute a scripted fake.

#include <boost/asio/awaitable.hpp>

#include "common/http_message.h"

namespace opsync {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  /// Performs one HTTP exchange. Never throws on the data path: failures come back in
  /// HttpResult::error. Must be awaited on the event loop that owns the transport.
  virtual boost::asio::awaitable<HttpResult> request(HttpRequest request) = 0;
};

}  // namespace opsync
