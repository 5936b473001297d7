#include "common/auth.h"

#include <algorithm>
#include <stdexcept>

#include "common/retry_policy.h"

namespace opsync {

namespace {

class AuthErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "opsync.auth"; }
  std::string message(int ev) const override {
    switch (static_cast<AuthError>(ev)) {
      case AuthError::token_request_failed:
        return "token endpoint refused the request";
      case AuthError::bad_token_response:
        return "token endpoint answered without a usable token";
    }
    return "unknown auth error";
  }
};

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

const boost::system::error_category& auth_error_category() noexcept {
  static const AuthErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(AuthError e) noexcept {
  return {static_cast<int>(e), auth_error_category()};
}

bool AuthResult::retryable() const {
  if (!error) return false;
  if (error == AuthError::bad_token_response) return false;
  if (error == AuthError::token_request_failed) return classify_status(status) == Outcome::retry;
  return classify(error, 0) == Outcome::retry;
}

bool is_header_safe(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

std::string base64_encode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

StaticBearer::StaticBearer(std::string token) {
  if (token.empty() || !is_header_safe(token)) {
    throw std::invalid_argument("bearer token is empty or contains a control character");
  }
  header_value_ = "Bearer " + token;
}

boost::asio::awaitable<AuthResult> StaticBearer::apply(HttpRequest& request) {
  set_header(request.headers, "Authorization", header_value_);
  co_return AuthResult{};
}

BasicAuth::BasicAuth(std::string user, std::string password) {
  if (user.find(':') != std::string::npos || !is_header_safe(user) || !is_header_safe(password)) {
    throw std::invalid_argument(
        "basic auth: the user must not contain ':' and neither part a control character");
  }
  header_value_ = "Basic " + base64_encode(user + ":" + password);
}

boost::asio::awaitable<AuthResult> BasicAuth::apply(HttpRequest& request) {
  set_header(request.headers, "Authorization", header_value_);
  co_return AuthResult{};
}

ApiKeyHeader::ApiKeyHeader(std::string header_name, std::string key)
    : header_name_(std::move(header_name)), key_(std::move(key)) {
  if (header_name_.empty() ||
      !std::all_of(header_name_.begin(), header_name_.end(), is_token_char)) {
    throw std::invalid_argument("api key: the header name is not a valid header field name");
  }
  if (key_.empty() || !is_header_safe(key_)) {
    throw std::invalid_argument("api key: the key is empty or contains a control character");
  }
}

boost::asio::awaitable<AuthResult> ApiKeyHeader::apply(HttpRequest& request) {
  set_header(request.headers, header_name_, key_);
  co_return AuthResult{};
}

}  // namespace opsync
