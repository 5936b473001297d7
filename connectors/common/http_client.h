#pragma once
// An HTTP/1.1 client for one vendor endpoint: a keep-alive connection pool over Boost.Beast,
// TLS verified by default, deadlines on everything, errors as values. Retries belong to the
// dispatcher; the client only re-sends an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE)
// once, transparently, when a pooled idle connection turns out to have been closed by the server
// before any response byte arrived. A POST or PATCH is never re-sent: the server may have read it
// and acted, and a create sent twice is two records. The caller gets the error.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/http_transport.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace opsync {

class HttpClient final : public HttpTransport {
 public:
  struct Options {
    /// "https://host[:port][/base/path]" or "http://...". Plain HTTP only when the URL says so.
    /// No user-info, query or fragment (credentials go through an AuthProvider).
    std::string base_url;
    /// Connections open at once (idle + busy); callers beyond that queue in FIFO order.
    std::size_t max_connections = 4;
    /// Resolve + TCP connect + TLS handshake of a new connection (also bounded by the request's
    /// own deadline).
    std::chrono::milliseconds connect_timeout{5'000};
    /// Default deadline of a whole request: waiting for a connection, connecting, sending and
    /// receiving. HttpRequest::timeout overrides it per request.
    std::chrono::milliseconds request_timeout{30'000};
    /// Response body limit; a larger body fails with HttpError::response_too_large.
    /// Bounds one answer's body. Vendors without paging (CommPeak's and IdentityCall's user
    /// lists) answer a whole roster at once: some 400 bytes an operator, so 64 MiB is about
    /// 150,000 operators.
    std::size_t max_response_bytes = 64 * 1024 * 1024;
    /// Response header limit (status line and fields).
    std::size_t max_header_bytes = 64 * 1024;
    /// An idle pooled connection older than this is closed instead of reused.
    std::chrono::milliseconds idle_timeout{30'000};
    /// Certificate and host name verification (SNI is always sent for a DNS host name).
    bool verify_tls = true;
    /// Extra trusted CA certificates (PEM), in addition to the system trust store.
    std::optional<std::string> ca_file;
    /// Sent unless the request sets its own User-Agent.
    std::string user_agent = "opsync/0.1";
  };

  /// Counters for metrics and tests.
  struct Stats {
    std::uint64_t requests = 0;            ///< request() calls
    std::uint64_t connections_opened = 0;  ///< successful connects (TCP + TLS)
    std::uint64_t connect_failures = 0;
    std::uint64_t reused = 0;  ///< requests sent on a pooled idle connection
    std::uint64_t stale_retries =
        0;  ///< transparent re-sends (idempotent methods) after a stale pooled connection
    std::uint64_t timeouts = 0;
    std::size_t open_connections = 0;  ///< idle + busy + connecting, now
    std::size_t idle_connections = 0;
    std::size_t queued = 0;  ///< callers waiting for a connection, now
  };

  /// Throws std::invalid_argument for a bad base_url or option, and std::runtime_error when the
  /// TLS trust store cannot be set up (e.g. unreadable ca_file). No message carries secrets.
  HttpClient(boost::asio::io_context& io, Options options);
  /// Shuts down (see shutdown()). In-flight coroutines finish safely afterwards.
  ~HttpClient() override;

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends `request` to base_url's path + request.target. Await it on the io_context's thread.
  /// Cancellation through the awaiting coroutine's cancellation slot is honoured.
  boost::asio::awaitable<HttpResult> request(HttpRequest request) override;

  /// Closes idle connections, fails queued callers and in-flight requests with
  /// HttpError::shut_down, and refuses new requests. Idempotent.
  void shutdown();

  Stats stats() const;
  const Options& options() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace opsync
