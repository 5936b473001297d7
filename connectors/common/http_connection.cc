#include "common/http_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <stdexcept>

namespace opsync::http_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool valid_field_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool valid_target(std::string_view target) {
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

Endpoint parse_base_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("base_url is not a valid absolute URL");
  const boost::urls::url_view u = *parsed;
  Endpoint e;
  if (u.scheme_id() == boost::urls::scheme::https) {
    e.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    throw std::invalid_argument("base_url must start with http:// or https://");
  }
  if (u.has_userinfo()) {
    throw std::invalid_argument("base_url must not contain user-info; configure credentials");
  }
  if (u.has_query() || u.has_fragment()) {
    throw std::invalid_argument("base_url must not have a query or a fragment");
  }
  e.host = u.host_address();
  if (e.host.empty()) throw std::invalid_argument("base_url has no host");
  e.host_is_ip = u.host_type() == boost::urls::host_type::ipv4 ||
                 u.host_type() == boost::urls::host_type::ipv6;
  if (u.host_type() == boost::urls::host_type::ipvfuture) {
    throw std::invalid_argument("base_url host type is not supported");
  }
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) {
      throw std::invalid_argument("base_url has an invalid port");
    }
    e.port = std::string(u.port());
  } else {
    e.port = e.tls ? "443" : "80";
  }
  e.host_header = std::string(u.encoded_host_and_port());
  e.base_path = std::string(u.encoded_path());
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  return e;
}

std::string join_target(const Endpoint& endpoint, std::string_view target) {
  std::string out = endpoint.base_path;
  if (target.empty()) return out.empty() ? "/" : out;
  if (target.front() != '/' && target.front() != '?') out += '/';
  out.append(target);
  if (out.front() != '/') out.insert(out.begin(), '/');
  return out;
}

error_code build_request(const Endpoint& endpoint, const HttpRequest& in,
                         std::string_view user_agent, BeastRequest& out) {
  const http::verb verb = http::string_to_verb(in.method);
  if (verb == http::verb::unknown || !valid_target(in.target)) {
    return make_error_code(HttpError::invalid_request);
  }
  out = BeastRequest{};
  out.version(11);
  out.method(verb);
  out.target(join_target(endpoint, in.target));
  for (const auto& h : in.headers) {
    if (!valid_field_name(h.name) || !valid_field_value(h.value)) {
      return make_error_code(HttpError::invalid_request);
    }
    out.insert(h.name, h.value);
  }
  if (out.find(http::field::host) == out.end()) out.set(http::field::host, endpoint.host_header);
  if (out.find(http::field::user_agent) == out.end() && !user_agent.empty()) {
    out.set(http::field::user_agent, user_agent);
  }
  out.body() = in.body;
  out.prepare_payload();
  return {};
}

error_code normalize_error(const error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out) {
    return make_error_code(HttpError::timeout);
  }
  if (ec == http::error::body_limit || ec == http::error::header_limit ||
      ec == http::error::buffer_overflow) {
    return make_error_code(HttpError::response_too_large);
  }
  return ec;
}

Connection::Connection(const asio::any_io_executor& executor, ssl::context* tls, bool verify_host,
                       std::uint64_t id)
    : verify_host_(verify_host), id_(id) {
  if (tls) {
    tls_.emplace(executor, *tls);
  } else {
    plain_.emplace(executor);
  }
}

beast::tcp_stream& Connection::lowest() {
  return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
}

asio::awaitable<error_code> Connection::connect(const Endpoint& endpoint,
                                                Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  const auto executor = co_await asio::this_coro::executor;

  // Name resolution is not covered by the stream's timer: race it against one.
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, deadline);
  auto raced = co_await (resolver.async_resolve(endpoint.host, endpoint.port, kToken) ||
                         timer.async_wait(kToken));
  if (raced.index() == 1) co_return make_error_code(HttpError::timeout);
  auto [resolve_ec, endpoints] = std::get<0>(std::move(raced));
  if (resolve_ec) co_return resolve_ec;

  beast::tcp_stream& tcp = lowest();
  tcp.expires_at(deadline);
  auto [connect_ec, connected] = co_await tcp.async_connect(endpoints, kToken);
  if (connect_ec) co_return normalize_error(connect_ec);
  tcp.socket().set_option(tcp::no_delay(true), connect_ec);  // best effort

  if (tls_) {
    // SNI must not carry an IP literal (RFC 6066); the certificate is checked either way.
    if (!endpoint.host_is_ip &&
        !SSL_set_tlsext_host_name(tls_->native_handle(), endpoint.host.c_str())) {
      co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    if (verify_host_) tls_->set_verify_callback(ssl::host_name_verification(endpoint.host));
    auto [handshake_ec] = co_await tls_->async_handshake(ssl::stream_base::client, kToken);
    if (handshake_ec) co_return normalize_error(handshake_ec);
  }
  tcp.expires_never();
  co_return error_code{};
}

template <class Stream>
asio::awaitable<Exchange> Connection::exchange_on(Stream& stream, const BeastRequest& request,
                                                  Clock::time_point deadline, Limits limits) {
  Exchange out;
  lowest().expires_at(deadline);
  auto [write_ec, written] = co_await http::async_write(stream, request, kToken);
  if (write_ec) {
    out.error = normalize_error(write_ec);
    out.nothing_received = buffer_.size() == 0;
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.max_body);
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits.max_header, std::numeric_limits<std::uint32_t>::max())));
  auto [read_ec, read] = co_await http::async_read(stream, buffer_, parser, kToken);
  lowest().expires_never();
  if (read_ec) {
    out.error = normalize_error(read_ec);
    out.nothing_received = !parser.got_some() && buffer_.size() == 0;
    co_return out;
  }
  auto response = parser.release();
  out.keep_alive = response.keep_alive();
  out.result.status = response.result_int();
  out.result.headers.reserve(
      static_cast<std::size_t>(std::distance(response.base().begin(), response.base().end())));
  for (const auto& field : response.base()) {
    out.result.headers.push_back(
        HttpHeader{std::string(field.name_string()), std::string(field.value())});
  }
  out.result.body = std::move(response.body());
  co_return out;
}

asio::awaitable<Exchange> Connection::exchange(const BeastRequest& request,
                                               Clock::time_point deadline, Limits limits) {
  ++requests;
  if (tls_) co_return co_await exchange_on(*tls_, request, deadline, limits);
  co_return co_await exchange_on(*plain_, request, deadline, limits);
}

bool Connection::unusable_when_idle() {
  auto& socket = lowest().socket();
  if (!socket.is_open()) return true;
  error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return true;
  char byte = 0;
  const std::size_t n = socket.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
  error_code restore_ec;
  socket.non_blocking(false, restore_ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return restore_ec.failed();
  if (ec || n == 0) return true;  // closed by the peer, or broken
  // Bytes nobody asked for. On plain HTTP that is a protocol error (a late or extra response);
  // under TLS it may be a post-handshake message (a TLS 1.3 session ticket) that the next read
  // consumes, so keep the connection: if it was a close_notify, the transparent re-send covers it.
  return !tls_ || restore_ec.failed();
}

void Connection::close() {
  error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close();
}

}  // namespace opsync::http_detail
