#include "admin/admin_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/write.hpp>
#include <list>

#include "admin/admin_routes.h"
#include "admin/listen_address.h"

namespace opsync::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

/// A connection as stop() and the accept loop see it.
struct Connection {
  beast::tcp_stream* stream = nullptr;
  bool reading = false;   ///< waiting for a request (stop() may cut it); else writing an answer
  bool admitted = false;  ///< answered with authorization: counts against max_connections
  bool evicted = false;   ///< closed to make room for a newer pending connection
};

}  // namespace

namespace detail {

struct AdminServerState {
  AdminServerState(asio::io_context& io, AdminBackend& backend, metrics::Registry& registry,
                   AdminServerOptions options)
      : io(io),
        backend(backend),
        options(std::move(options)),
        acceptor(io),
        requests(registry.counter("opsync_admin_requests_total",
                                  "Admin HTTP requests answered, by route and status code.",
                                  {"route", "code"})),
        connections_rejected(
            registry
                .counter("opsync_admin_connections_rejected_total",
                         "Admin HTTP connections closed early because too many were open (the "
                         "oldest unanswered one, or an answer past the kept-alive limit).")
                .with({})) {}

  std::size_t count(bool admitted_ones) const {
    std::size_t n = 0;
    for (const auto& c : connections) n += !c.evicted && c.admitted == admitted_ones;
    return n;
  }

  // Makes room for a new pending connection: closes the oldest pending one when full.
  void evict_if_full() {
    if (count(false) < options.max_pending_connections) return;
    for (auto& c : connections) {
      if (c.admitted || c.evicted || !c.reading) continue;
      c.evicted = true;
      c.stream->cancel();
      connections_rejected.inc();
      return;
    }
  }

  asio::io_context& io;
  AdminBackend& backend;
  AdminServerOptions options;
  tcp::acceptor acceptor;
  metrics::Family<metrics::Counter>& requests;
  metrics::Counter& connections_rejected;
  std::list<Connection> connections;
  std::uint16_t port = 0;
  bool started = false;
  bool stopping = false;
};

}  // namespace detail

namespace {

using State = std::shared_ptr<detail::AdminServerState>;

/// Closes after an error answer without losing it: shut down our side, then read what the client
/// is still sending (briefly), so the kernel does not reset the connection under the answer.
asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  char sink[4096];
  std::size_t drained = 0;
  stream.expires_after(std::chrono::seconds(1));
  while (drained < 1024 * 1024) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kToken);
    if (ec) break;
    drained += n;
  }
  stream.socket().close(ignored);
}

/// The status to answer a failed read with, or nothing (just close): timeouts, resets and a
/// client that went away need no answer.
std::optional<http::status> status_for_read_error(const error_code& ec) {
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
    return http::status::bad_request;
  }
  return std::nullopt;
}

asio::awaitable<void> serve(State state, beast::tcp_stream stream) {
  auto& options = state->options;
  const auto self = state->connections.insert(state->connections.end(), {&stream, false});
  struct Unregister {
    State& state;
    std::list<Connection>::iterator it;
    ~Unregister() { state->connections.erase(it); }
  } unregister{state, self};

  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    stream.expires_after(self->admitted ? options.read_timeout : options.first_request_timeout);
    self->reading = true;
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kToken);
    self->reading = false;
    if (state->stopping || self->evicted) break;
    if (ec) {
      if (const auto status = status_for_read_error(ec)) {
        std::string_view message = *status == http::status::payload_too_large
                                       ? "request body too large"
                                       : "malformed request";
        if (*status == http::status::request_header_fields_too_large) {
          message = "request headers too large";
        }
        auto res = error_response(*status, message);
        res.keep_alive(false);
        res.prepare_payload();
        state->requests.with({route::unmatched, std::to_string(res.result_int())}).inc();
        stream.expires_after(options.write_timeout);
        auto [write_ec, written] = co_await http::async_write(stream, res, kToken);
        if (!write_ec) co_await linger_close(stream);
      }
      break;
    }

    const Request& request = parser.get();
    Routed routed = route_request(request, state->backend, options.bearer_token);
    state->requests.with({routed.route, std::to_string(routed.response.result_int())}).inc();
    // Only an authorized client may keep a connection, and only while there is room.
    const bool authorized = routed.response.result() != http::status::unauthorized;
    bool keep_alive = request.keep_alive() && authorized;
    if (keep_alive && !self->admitted) {
      if (state->count(true) < options.max_connections) {
        self->admitted = true;
      } else {
        keep_alive = false;
        state->connections_rejected.inc();
      }
    }
    routed.response.version(request.version());
    routed.response.keep_alive(keep_alive);

    stream.expires_after(options.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, routed.response, kToken);
    if (!write_ec && !authorized) co_await linger_close(stream);
    if (write_ec || !keep_alive || state->stopping) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

asio::awaitable<void> accept(State state) {
  asio::steady_timer backoff(state->io);
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kToken);
    if (state->stopping) co_return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      spdlog::warn("event=admin_accept_failed error=\"{}\"", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kToken);
      continue;
    }
    state->evict_if_full();
    asio::co_spawn(state->io, serve(state, beast::tcp_stream(std::move(socket))),
                   [](std::exception_ptr e) {
                     if (!e) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& error) {
                       spdlog::error("event=admin_connection_failed error=\"{}\"", error.what());
                     }
                   });
  }
}

}  // namespace

AdminServer::AdminServer(asio::io_context& io, AdminBackend& backend, metrics::Registry& registry,
                         AdminServerOptions options)
    : state_(
          std::make_shared<detail::AdminServerState>(io, backend, registry, std::move(options))) {
  // The registry may outlive the server (a last scrape, the demo's summary): hold it weakly.
  registry.gauge_callback("opsync_admin_open_connections", "Admin HTTP connections open now.",
                          [weak = std::weak_ptr(state_)] {
                            const auto state = weak.lock();
                            return state ? static_cast<double>(state->connections.size()) : 0.0;
                          });
}

AdminServer::~AdminServer() {
  stop();
}

void AdminServer::start() {
  if (state_->started) return;
  const tcp::endpoint endpoint = parse_listen_address(state_->options.listen);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  state_->port = acceptor.local_endpoint().port();
  state_->started = true;
  spdlog::info("event=admin_listening address={} port={} auth={}", endpoint.address().to_string(),
               state_->port, state_->options.bearer_token ? "bearer" : "none");
  asio::co_spawn(state_->io, accept(state_), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& error) {
      spdlog::error("event=admin_accept_stopped error=\"{}\"", error.what());
    }
  });
}

std::uint16_t AdminServer::port() const {
  return state_->port;
}

void AdminServer::stop() {
  if (state_->stopping) return;
  state_->stopping = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& connection : state_->connections) {
    // A connection waiting for a request goes now; one writing an answer closes after it.
    if (connection.reading) connection.stream->cancel();
  }
}

std::size_t AdminServer::open_connections() const {
  return state_->connections.size();
}

}  // namespace opsync::admin
