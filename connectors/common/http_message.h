#pragma once
// The plain data of one HTTP exchange, shared by the client, auth providers, retry policy and
// connectors. Deliberately free of Asio/Beast headers so that connector mapping code stays light.

#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace opsync {

struct HttpHeader {
  std::string name;
  std::string value;
};

/// Header fields in wire order. Names compare case-insensitively (see find_header).
using HttpHeaders = std::vector<HttpHeader>;

/// Value of the first field named `name` (ASCII case-insensitive), or nullopt.
std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name);

/// Replaces every field named `name` by one field with `value` (appends if there was none).
void set_header(HttpHeaders& headers, std::string_view name, std::string_view value);

/// ASCII case-insensitive equality, for header names.
bool iequals(std::string_view a, std::string_view b);

/// Which share of a connector's request budget a request draws from. Live pushes always come
/// first; background requests (reconcile passes, bulk resyncs) use at most the connector's
/// DeliveryLimits::background_share of the rate and wait while live requests are waiting.
enum class RequestPriority { live, background };

struct HttpRequest {
  /// Upper-case method token: "GET", "POST", "PUT", "PATCH", "DELETE", ...
  std::string method = "GET";
  /// Path and query, relative to the client's base URL path ("/operators/42?x=1").
  std::string target;
  HttpHeaders headers;
  std::string body;
  /// Deadline for the whole request (queueing for a connection, connecting, writing, reading);
  /// nullopt means the client's default request_timeout.
  std::optional<std::chrono::milliseconds> timeout;
  RequestPriority priority = RequestPriority::live;
};

struct HttpResult {
  /// Transport-level failure (network error, timeout, TLS, limits). When set, status is 0 and
  /// no response was received. See HttpError for the client's own codes.
  boost::system::error_code error;
  unsigned status = 0;
  HttpHeaders headers;
  std::string body;

  bool ok() const { return !error && status >= 200 && status < 300; }
};

/// The HTTP client's own error codes (category "opsync.http"). Other errors are Asio, Beast or
/// SSL codes passed through unchanged.
enum class HttpError {
  timeout = 1,         ///< connect or request deadline passed (also queueing for a connection)
  response_too_large,  ///< response body or header over the configured limit
  invalid_request,     ///< unknown method or CR/LF/NUL in a header; never sent
  shut_down,           ///< the client was shut down while the request waited or ran
};

const boost::system::error_category& http_error_category() noexcept;
boost::system::error_code make_error_code(HttpError e) noexcept;

}  // namespace opsync

template <>
struct boost::system::is_error_code_enum<opsync::HttpError> : std::true_type {};
