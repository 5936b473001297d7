#pragma once
// Internal to the HTTP client: one TCP or TLS connection to the endpoint, and the parsed base
// URL. Not for connectors (they use HttpClient); heavy Asio/Beast headers live here.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_message.h"

namespace opsync::http_detail {

using Clock = std::chrono::steady_clock;
using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// The parts of HttpClient::Options::base_url the client needs.
struct Endpoint {
  bool tls = false;
  std::string host;         ///< for resolution, SNI and certificate checks (no brackets)
  std::string port;         ///< explicit or the scheme's default
  std::string host_header;  ///< "host" or "host:port" as written in the URL
  std::string base_path;    ///< without a trailing '/', may be empty
  bool host_is_ip = false;
};

/// Throws std::invalid_argument naming the problem (the URL carries no secrets: user-info is
/// rejected without echoing it).
Endpoint parse_base_url(std::string_view url);

/// base_path + target, with exactly one '/' between them.
std::string join_target(const Endpoint& endpoint, std::string_view target);

/// Builds the Beast request; invalid_request for an unknown method or a forbidden character.
boost::system::error_code build_request(const Endpoint& endpoint, const HttpRequest& in,
                                        std::string_view user_agent, BeastRequest& out);

struct Limits {
  std::size_t max_body = 0;
  std::size_t max_header = 0;
};

struct Exchange {
  boost::system::error_code error;
  /// On error: no byte of a response had arrived (the server may have closed an idle
  /// connection), so re-sending on a fresh connection is safe from the protocol's view.
  bool nothing_received = false;
  bool keep_alive = false;
  HttpResult result;
};

class Connection {
 public:
  /// `tls` null for plain HTTP; the context must outlive the connection. `verify_host`: check
  /// the certificate against the endpoint's host name or IP address.
  Connection(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls,
             bool verify_host, std::uint64_t id);

  /// Resolves, connects and (for TLS) handshakes with verification, all before `deadline`.
  boost::asio::awaitable<boost::system::error_code> connect(const Endpoint& endpoint,
                                                            Clock::time_point deadline);

  /// Writes `request` and reads one response, all before `deadline`.
  boost::asio::awaitable<Exchange> exchange(const BeastRequest& request, Clock::time_point deadline,
                                            Limits limits);

  /// For an idle pooled connection: true if the peer has closed it or sent unsolicited bytes.
  bool unusable_when_idle();

  /// Closes the socket; pending operations complete with operation_aborted.
  void close();

  std::uint64_t id() const { return id_; }
  /// Whether no response bytes are buffered beyond the last response.
  bool clean() const { return buffer_.size() == 0; }

  Clock::time_point idle_since{};
  std::uint64_t requests = 0;

 private:
  template <class Stream>
  boost::asio::awaitable<Exchange> exchange_on(Stream& stream, const BeastRequest& request,
                                               Clock::time_point deadline, Limits limits);
  boost::beast::tcp_stream& lowest();

  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  bool verify_host_ = true;
  std::uint64_t id_;
};

/// Maps Beast/Asio codes onto HttpError where the client promises one (timeouts, limits).
boost::system::error_code normalize_error(const boost::system::error_code& ec);

}  // namespace opsync::http_detail
