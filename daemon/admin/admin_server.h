#pragma once
// The admin HTTP/1.1 server: Beast on the daemon's io_context, one coroutine per connection.
//
//   admin::AdminServer server(io, backend, registry,
//                             {.listen = config.admin.listen, .bearer_token = token});
//   server.start();  // binds now: a bad address or a port in use throws here, at start-up
//   ...
//   server.stop();   // on SIGTERM, before the backend goes away
//
// Every read has a deadline, request bodies and headers have limits, connections are kept alive
// and capped in number. Requests are counted in `opsync_admin_requests_total{route,code}`.
//
// Hostile clients cannot lock the API out: a connection counts against `max_connections` only
// once it has been answered with the bearer token accepted (or no token is configured); until
// then it is "pending": its first request must arrive whole within `first_request_timeout`, and
// when `max_pending_connections` are pending the oldest one is closed to make room for the new
// one. A 401 closes the connection, and so does an answer when `max_connections` connections are
// already kept alive. So a client that connects and asks at once (a health check) is answered
// whatever idle, slow or unauthenticated clients do.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "admin/admin_backend.h"
#include "metrics/registry.h"

namespace opsync::admin {

namespace detail {
struct AdminServerState;
}

struct AdminServerOptions {
  std::string listen = "127.0.0.1:9464";  ///< see parse_listen_address(); port 0 picks one
  /// When set, every request must carry `Authorization: Bearer <token>` (401 otherwise). It is
  /// compared in constant time and never logged or echoed.
  std::optional<std::string> bearer_token;
  /// To receive one whole request, including the idle wait for the next one on a kept-alive
  /// connection; then the connection is closed.
  std::chrono::milliseconds read_timeout{10000};
  /// To receive the first request of a connection, headers and body (slow clients are cut off).
  std::chrono::milliseconds first_request_timeout{2000};
  std::chrono::milliseconds write_timeout{10000};
  std::size_t body_limit = 64 * 1024;    ///< larger bodies get 413 and the connection closes
  std::size_t header_limit = 16 * 1024;  ///< larger headers get 431 and the connection closes
  /// Kept-alive connections past their first (authorized) answer; beyond, answers close.
  std::size_t max_connections = 64;
  /// Connections not yet answered; a new one beyond this closes the oldest (counted).
  std::size_t max_pending_connections = 256;
};

class AdminServer {
 public:
  /// Registers the server's metrics in `registry` (so one server per registry). `backend` and
  /// `registry` must outlive the server; `io` must outlive it too, or be stopped first.
  AdminServer(boost::asio::io_context& io, AdminBackend& backend, metrics::Registry& registry,
              AdminServerOptions options);
  /// Calls stop().
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// Binds the listen address and starts accepting on the io_context. Throws
  /// std::invalid_argument for a bad address and boost::system::system_error if it cannot bind.
  void start();
  /// The bound port (the kernel's pick when the configured port was 0); 0 before start().
  std::uint16_t port() const;
  /// Stops accepting, closes idle connections and lets responses being written finish (within
  /// write_timeout), then closes those too. Calls the backend no more. Idempotent; returns at
  /// once, the rest happens on the io_context.
  void stop();
  /// Connections open now (for tests and /status).
  std::size_t open_connections() const;

 private:
  std::shared_ptr<detail::AdminServerState> state_;
};

}  // namespace opsync::admin
