#include "vendorsim/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <iostream>
#include <utility>

namespace opsync::vendorsim {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct HttpListener::Connection {
  explicit Connection(tcp::socket socket)
      : stream(std::move(socket)), timer(stream.get_executor()) {}
  void close() {
    beast::error_code ec;
    timer.cancel();
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
  }
  beast::tcp_stream stream;
  asio::steady_timer timer;  // latency before an answer
};

struct ListenerAccess {
  static asio::awaitable<void> accept_loop(std::shared_ptr<HttpListener> self);
  static asio::awaitable<void> serve(std::shared_ptr<HttpListener> self,
                                     std::shared_ptr<HttpListener::Connection> connection);
  static asio::awaitable<void> hang(HttpListener::Connection& connection);
};

namespace {

void report(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    std::cerr << "opsync-vendorsim: connection failed: " << ex.what() << '\n';
  }
}

HttpResponse plain_error(unsigned version, http::status status, std::string_view text) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, "text/plain");
  res.keep_alive(false);
  res.body() = std::string(text) + "\n";
  res.prepare_payload();
  return res;
}

}  // namespace

HttpListener::HttpListener(asio::any_io_executor executor, ListenerLimits limits)
    : executor_(executor), acceptor_(executor), limits_(limits) {}

std::shared_ptr<HttpListener> HttpListener::bind(asio::any_io_executor executor,
                                                 const tcp::endpoint& endpoint,
                                                 ListenerLimits limits) {
  auto self = std::make_shared<HttpListener>(executor, limits);
  self->acceptor_.open(endpoint.protocol());
  self->acceptor_.set_option(tcp::acceptor::reuse_address(true));
  self->acceptor_.bind(endpoint);
  self->acceptor_.listen(asio::socket_base::max_listen_connections);
  self->port_ = self->acceptor_.local_endpoint().port();
  return self;
}

void HttpListener::serve(Handler handler) {
  handler_ = std::move(handler);
  asio::co_spawn(executor_, ListenerAccess::accept_loop(shared_from_this()), report);
}

void HttpListener::stop() {
  asio::post(executor_, [self = shared_from_this()] {
    std::list<std::weak_ptr<Connection>> open;
    {
      std::lock_guard lock(self->mutex_);
      self->stopped_ = true;
      open.swap(self->connections_);
    }
    beast::error_code ec;
    self->acceptor_.close(ec);
    for (auto& weak : open)
      if (auto connection = weak.lock()) connection->close();
  });
}

void HttpListener::track(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  if (stopped_) {
    connection->close();
    return;
  }
  std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  connections_.push_back(connection);
}

asio::awaitable<void> ListenerAccess::accept_loop(std::shared_ptr<HttpListener> self) {
  for (;;) {
    auto [ec, socket] = co_await self->acceptor_.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) co_return;
    if (ec) continue;  // e.g. the peer gave up before we accepted
    auto connection = std::make_shared<HttpListener::Connection>(std::move(socket));
    self->track(connection);
    asio::co_spawn(self->executor_, serve(self, connection), report);
  }
}

// A hung request: read and discard until the client gives up or the listener stops.
asio::awaitable<void> ListenerAccess::hang(HttpListener::Connection& connection) {
  char scratch[4096];
  for (;;) {
    auto [ec, n] =
        co_await connection.stream.socket().async_read_some(asio::buffer(scratch), use_tuple);
    if (ec) co_return;
  }
}

asio::awaitable<void> ListenerAccess::serve(std::shared_ptr<HttpListener> self,
                                            std::shared_ptr<HttpListener::Connection> connection) {
  auto& stream = connection->stream;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(self->limits_.body_limit);
    stream.expires_after(self->limits_.idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec == http::error::body_limit) {
      auto res =
          plain_error(parser.get().version(), http::status::payload_too_large, "Body too large");
      stream.expires_after(self->limits_.write_timeout);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::bad_descriptor)
      break;
    if (ec) {  // a malformed request: say so once, then close
      auto res = plain_error(11, http::status::bad_request, ec.message());
      stream.expires_after(self->limits_.write_timeout);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    HttpRequest req = parser.release();
    Reply reply = self->handler_(req);
    if (reply.delay.count() > 0) {
      connection->timer.expires_after(reply.delay);
      auto [timer_ec] = co_await connection->timer.async_wait(use_tuple);
      if (timer_ec) break;  // stopped while waiting
    }
    if (reply.action == Reply::Action::reset) {
      beast::error_code ignored;
      stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);  // RST, not FIN
      stream.close();
      co_return;
    }
    if (reply.action == Reply::Action::hang) {
      stream.expires_never();
      co_await hang(*connection);
      break;
    }
    const bool keep_alive = reply.response.keep_alive();
    stream.expires_after(self->limits_.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, reply.response, use_tuple);
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

}  // namespace opsync::vendorsim
