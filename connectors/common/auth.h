#pragma once
// Auth providers: each decorates an outgoing vendor request with its credentials. One instance
// per connector instance, used on that connector's event loop.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <string>

#include "common/http_message.h"

namespace opsync {

/// The outcome of decorating a request. `message` is safe to log: no provider ever puts a
/// secret (key, password, token, request or response body) in it.
struct AuthResult {
  /// Set when the credentials could not be obtained: a transport error from the token endpoint,
  /// or an AuthError.
  boost::system::error_code error;
  /// The token endpoint's status when it answered with something other than 2xx; else 0.
  unsigned status = 0;
  std::string message;

  bool ok() const { return !error; }
  /// Whether trying again later may help: network errors, timeouts, 408/425/429/5xx from the
  /// token endpoint. Rejected credentials (other 4xx) and malformed answers are not retryable.
  bool retryable() const;
};

enum class AuthError {
  token_request_failed = 1,  ///< the token endpoint answered non-2xx (see AuthResult::status)
  bad_token_response,        ///< 2xx without a usable token
};

const boost::system::error_category& auth_error_category() noexcept;
boost::system::error_code make_error_code(AuthError e) noexcept;

class AuthProvider {
 public:
  virtual ~AuthProvider() = default;

  /// Adds (replacing any existing) credential headers to `request`. May perform I/O (a token
  /// exchange); never throws on the data path.
  virtual boost::asio::awaitable<AuthResult> apply(HttpRequest& request) = 0;

  /// The vendor answered 401: forget cached credentials so the next apply() obtains fresh ones.
  /// A no-op for static credentials.
  virtual void invalidate() {}
};

/// `Authorization: Bearer <token>` (Plug Chat, IdentityCall).
class StaticBearer final : public AuthProvider {
 public:
  /// Throws std::invalid_argument if the token is empty or contains a control character.
  explicit StaticBearer(std::string token);
  boost::asio::awaitable<AuthResult> apply(HttpRequest& request) override;

 private:
  std::string header_value_;
};

/// `Authorization: Basic base64(user:password)` (CommPeak).
class BasicAuth final : public AuthProvider {
 public:
  /// Throws std::invalid_argument if the user contains ':' or either contains a control
  /// character.
  BasicAuth(std::string user, std::string password);
  boost::asio::awaitable<AuthResult> apply(HttpRequest& request) override;

 private:
  std::string header_value_;
};

/// `<header_name>: <key>` (iAdvize: X-API-Key).
class ApiKeyHeader final : public AuthProvider {
 public:
  /// Throws std::invalid_argument if the name is not a header token or the key is empty or
  /// contains a control character.
  ApiKeyHeader(std::string header_name, std::string key);
  boost::asio::awaitable<AuthResult> apply(HttpRequest& request) override;

 private:
  std::string header_name_;
  std::string key_;
};

/// Base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view in);

/// True if `s` has no control characters (so it can go into a header value).
bool is_header_safe(std::string_view s);

}  // namespace opsync

template <>
struct boost::system::is_error_code_enum<opsync::AuthError> : std::true_type {};
