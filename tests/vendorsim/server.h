// One listening port: HTTP/1.1 with keep-alive, each connection a C++20 coroutine.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "vendorsim/http_util.h"

namespace opsync::vendorsim {

struct ListenerLimits {
  std::size_t body_limit = 1 << 20;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds write_timeout{30};
};

/// Serves one port with `handler`, which decides per request whether to answer (after an
/// optional delay), reset the connection, or never answer. `bind` opens the port, `serve` starts
/// accepting; `stop` closes the port and every open connection (hung ones included) and may be
/// called from any thread.
class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  using Handler = std::function<Reply(const HttpRequest&)>;

  /// Binds and listens on `endpoint`; throws boost::system::system_error when it cannot.
  static std::shared_ptr<HttpListener> bind(boost::asio::any_io_executor executor,
                                            const boost::asio::ip::tcp::endpoint& endpoint,
                                            ListenerLimits limits);
  /// Starts accepting connections; each request goes to `handler`. Call once.
  void serve(Handler handler);
  std::uint16_t port() const { return port_; }
  void stop();

  struct Connection;  // defined in server.cc

  HttpListener(boost::asio::any_io_executor executor, ListenerLimits limits);

 private:
  void track(const std::shared_ptr<Connection>& connection);

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  ListenerLimits limits_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  bool stopped_ = false;
  std::list<std::weak_ptr<Connection>> connections_;

  friend struct ListenerAccess;
};

}  // namespace opsync::vendorsim
