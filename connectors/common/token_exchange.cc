#include "common/token_exchange.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

namespace opsync {

namespace asio = boost::asio;
using std::chrono::steady_clock;

/// One token request shared by every caller that arrives while it runs. Waiters sleep on the
/// timer; the fetching coroutine cancels it when the result is in.
struct TokenExchange::Fetch {
  explicit Fetch(const asio::any_io_executor& executor)
      : done(executor, steady_clock::time_point::max()) {}
  asio::steady_timer done;
  std::optional<AuthResult> result;
  std::string token;
};

TokenExchange::TokenExchange(HttpTransport& transport, Options options, Clock clock)
    : transport_(transport), options_(std::move(options)), clock_(std::move(clock)) {
  if (options_.api_key_id.empty() || options_.api_key_secret.empty()) {
    throw std::invalid_argument("token exchange: api_key_id and api_key_secret are required");
  }
  if (options_.refresh_ahead >= options_.lifetime || options_.lifetime.count() <= 0) {
    throw std::invalid_argument("token exchange: refresh_ahead must be shorter than lifetime");
  }
}

TokenExchange::~TokenExchange() {
  if (in_flight_) in_flight_->done.cancel();
}

void TokenExchange::invalidate() {
  token_.reset();
  refresh_at_ = expires_at_ = {};
}

asio::awaitable<AuthResult> TokenExchange::apply(HttpRequest& request) {
  const auto now = clock_();
  // Fresh, or due for refresh while someone else already refreshes it: use the current token.
  if (token_ && (now < refresh_at_ || (in_flight_ && now < expires_at_))) {
    set_header(request.headers, "Authorization", "Bearer " + *token_);
    co_return AuthResult{};
  }
  std::string token;
  AuthResult result;
  if (in_flight_) {
    auto shared = in_flight_;  // keeps the fetch alive while this caller waits
    co_await shared->done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!shared->result) {
      result.error = asio::error::operation_aborted;
      result.message = "token exchange: cancelled while waiting for a token";
      co_return result;
    }
    result = *shared->result;
    token = shared->token;
  } else {
    auto shared = std::make_shared<Fetch>(co_await asio::this_coro::executor);
    in_flight_ = shared;
    result = co_await fetch();
    shared->result = result;
    if (result.ok()) shared->token = *token_;
    token = shared->token;
    if (in_flight_ == shared) in_flight_.reset();
    shared->done.cancel();  // wakes every waiter
  }
  if (!result.ok()) {
    // A failed refresh ahead of expiry: the old token is still good.
    if (token_ && clock_() < expires_at_) {
      set_header(request.headers, "Authorization", "Bearer " + *token_);
      co_return AuthResult{};
    }
    co_return result;
  }
  set_header(request.headers, "Authorization", "Bearer " + token);
  co_return AuthResult{};
}

asio::awaitable<AuthResult> TokenExchange::fetch() {
  ++fetches_;
  HttpRequest request;
  request.method = "POST";
  request.target = options_.path;
  request.headers = options_.headers;
  set_header(request.headers, "Content-Type", "application/json");
  request.body = boost::json::serialize(boost::json::object{
      {"api_key_id", options_.api_key_id}, {"api_key_secret", options_.api_key_secret}});
  request.timeout = options_.timeout;
  const auto started = clock_();
  HttpResult response = co_await transport_.request(std::move(request));

  AuthResult result;
  if (response.error) {
    result.error = response.error;
    result.message = "token exchange: " + response.error.message();
    co_return result;
  }
  if (response.status < 200 || response.status >= 300) {
    // The body is not quoted: some endpoints echo the submitted credentials.
    result.error = AuthError::token_request_failed;
    result.status = response.status;
    result.message =
        "token exchange: HTTP " + std::to_string(response.status) + " from " + options_.path;
    co_return result;
  }
  boost::system::error_code parse_ec;
  const boost::json::value body = boost::json::parse(response.body, parse_ec);
  const boost::json::object* object = parse_ec ? nullptr : body.if_object();
  const boost::json::value* token = object ? object->if_contains("token") : nullptr;
  if (!token || !token->is_string() || token->as_string().empty() ||
      !is_header_safe(token->as_string())) {
    result.error = AuthError::bad_token_response;
    result.message = "token exchange: the answer has no usable \"token\"";
    co_return result;
  }
  auto lifetime = std::chrono::duration_cast<steady_clock::duration>(options_.lifetime);
  if (const auto* expires_in = object->if_contains("expires_in")) {
    if (auto seconds = expires_in->if_int64(); seconds && *seconds > 0) {
      lifetime = std::min(lifetime, std::chrono::duration_cast<steady_clock::duration>(
                                        std::chrono::seconds(*seconds)));
    }
  }
  const auto ahead = std::min(
      std::chrono::duration_cast<steady_clock::duration>(options_.refresh_ahead), lifetime / 2);
  token_ = std::string(token->as_string());
  expires_at_ = started + lifetime;
  refresh_at_ = expires_at_ - ahead;
  co_return result;
}

}  // namespace opsync
