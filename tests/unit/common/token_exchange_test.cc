#include "common/token_exchange.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <stdexcept>

#include "async_test.h"
#include "common/http_client.h"
#include "common/retry_policy.h"
#include "scripted_server.h"

namespace opsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSecret = "s3cr3t-value";

/// A transport that answers the token endpoint from a script, counts calls and can hold every
/// answer until release() (to make callers overlap deterministically).
class FakeTransport final : public HttpTransport {
 public:
  explicit FakeTransport(asio::io_context& io) : gate_(io, Clock::time_point::max()) {}

  asio::awaitable<HttpResult> request(HttpRequest request) override {
    requests.push_back(request);
    while (held_) co_await gate_.async_wait(test::kNoThrow);
    co_return script(requests.back());
  }
  void hold() { held_ = true; }
  void release() {
    held_ = false;
    gate_.cancel();
  }

  std::function<HttpResult(const HttpRequest&)> script = [this](const HttpRequest&) {
    HttpResult r;
    r.status = 200;
    r.body = R"({"token":"t)" + std::to_string(requests.size()) + R"("})";
    return r;
  };
  std::vector<HttpRequest> requests;

 private:
  bool held_ = false;
  asio::steady_timer gate_;
};

class TokenExchangeTest : public ::testing::Test {
 protected:
  TokenExchange::Options options() {
    TokenExchange::Options o;
    o.api_key_id = "key-id";
    o.api_key_secret = std::string(kSecret);
    o.headers = {{"Accept", "application/vnd.salemove.v1+json"}};
    o.lifetime = 3600s;
    o.refresh_ahead = 300s;
    return o;
  }
  TokenExchange make() {
    return TokenExchange(transport, options(), [this] { return now; });
  }
  /// apply() on a fresh request; returns the Authorization header ("" on failure).
  std::string authorize(TokenExchange& auth, AuthResult* out = nullptr) {
    HttpRequest request;
    AuthResult result;
    auto body = [&]() -> asio::awaitable<void> { result = co_await auth.apply(request); };
    test::run_until_done(io, body());
    if (out) *out = result;
    return std::string(find_header(request.headers, "Authorization").value_or(""));
  }

  asio::io_context io;
  FakeTransport transport{io};
  Clock::time_point now = Clock::time_point(100h);
};

TEST_F(TokenExchangeTest, FetchesOnceAndCaches) {
  TokenExchange auth = make();
  EXPECT_EQ(authorize(auth), "Bearer t1");
  now += 10min;
  EXPECT_EQ(authorize(auth), "Bearer t1");
  EXPECT_EQ(auth.fetches(), 1u);
  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& sent = transport.requests[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/operator_authentication/tokens");
  EXPECT_EQ(find_header(sent.headers, "Content-Type"), "application/json");
  EXPECT_EQ(find_header(sent.headers, "Accept"), "application/vnd.salemove.v1+json");
  EXPECT_EQ(boost::json::parse(sent.body),
            boost::json::parse(R"({"api_key_id":"key-id","api_key_secret":"s3cr3t-value"})"));
}

TEST_F(TokenExchangeTest, RefreshesAheadOfExpiry) {
  TokenExchange auth = make();
  EXPECT_EQ(authorize(auth), "Bearer t1");
  now += 3600s - 300s - 1s;
  EXPECT_EQ(authorize(auth), "Bearer t1");
  now += 1s;
  EXPECT_EQ(authorize(auth), "Bearer t2");
  EXPECT_EQ(auth.fetches(), 2u);
}

TEST_F(TokenExchangeTest, ShorterExpiresInWins) {
  transport.script = [](const HttpRequest&) {
    return HttpResult{.status = 200, .body = R"({"token":"short","expires_in":600})"};
  };
  TokenExchange auth = make();
  EXPECT_EQ(authorize(auth), "Bearer short");
  now += 299s;  // refresh_ahead is capped at half the lifetime: refresh after 300 s
  authorize(auth);
  EXPECT_EQ(auth.fetches(), 1u);
  now += 1s;
  authorize(auth);
  EXPECT_EQ(auth.fetches(), 2u);
}

TEST_F(TokenExchangeTest, InvalidateFetchesAFreshToken) {
  TokenExchange auth = make();
  EXPECT_EQ(authorize(auth), "Bearer t1");
  auth.invalidate();
  EXPECT_EQ(authorize(auth), "Bearer t2");
  EXPECT_EQ(authorize(auth), "Bearer t2");
  EXPECT_EQ(auth.fetches(), 2u);
}

TEST_F(TokenExchangeTest, ConcurrentCallersShareOneFetch) {
  TokenExchange auth = make();
  constexpr std::size_t kCallers = 6;
  std::vector<HttpRequest> requests(kCallers);
  std::vector<AuthResult> results(kCallers);
  auto body = [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    test::Countdown all(executor, kCallers);
    transport.hold();
    for (std::size_t i = 0; i < kCallers; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            results[i] = co_await auth.apply(requests[i]);
            all.done();
          },
          asio::detached);
    }
    co_await test::until([&] { return transport.requests.size() == 1; });
    // Give every caller the chance to start a fetch of its own (none must).
    for (int i = 0; i < 10; ++i) co_await test::until([] { return true; });
    transport.release();
    co_await all.wait();
  };
  test::run_until_done(io, body());
  EXPECT_EQ(auth.fetches(), 1u);
  EXPECT_EQ(transport.requests.size(), 1u);
  for (std::size_t i = 0; i < kCallers; ++i) {
    EXPECT_TRUE(results[i].ok());
    EXPECT_EQ(find_header(requests[i].headers, "Authorization"), "Bearer t1");
  }
}

TEST_F(TokenExchangeTest, ConcurrentCallersShareOneFailure) {
  transport.script = [](const HttpRequest&) { return HttpResult{.status = 503}; };
  TokenExchange auth = make();
  std::vector<HttpRequest> requests(3);
  std::vector<AuthResult> results(3);
  auto body = [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    test::Countdown all(executor, 3);
    transport.hold();
    for (std::size_t i = 0; i < 3; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            results[i] = co_await auth.apply(requests[i]);
            all.done();
          },
          asio::detached);
    }
    co_await test::until([&] { return transport.requests.size() == 1; });
    transport.release();
    co_await all.wait();
  };
  test::run_until_done(io, body());
  EXPECT_EQ(auth.fetches(), 1u);
  for (const auto& r : results) {
    EXPECT_EQ(r.error, AuthError::token_request_failed);
    EXPECT_EQ(r.status, 503u);
    EXPECT_TRUE(r.retryable());
  }
}

TEST_F(TokenExchangeTest, FailuresNeverCarrySecrets) {
  TokenExchange auth = make();
  // The endpoint echoes the secret in its error body: it must not reach the message.
  transport.script = [](const HttpRequest& r) {
    return HttpResult{.status = 401, .body = "bad credentials: " + r.body};
  };
  AuthResult result;
  EXPECT_EQ(authorize(auth, &result), "");
  EXPECT_EQ(result.error, AuthError::token_request_failed);
  EXPECT_EQ(result.status, 401u);
  EXPECT_FALSE(result.retryable());
  EXPECT_EQ(result.message.find(kSecret), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("401"), std::string::npos) << result.message;

  transport.script = [](const HttpRequest&) {
    return HttpResult{.status = 200, .body = R"({"tokn":"s3cr3t-value"})"};
  };
  EXPECT_EQ(authorize(auth, &result), "");
  EXPECT_EQ(result.error, AuthError::bad_token_response);
  EXPECT_EQ(result.message.find(kSecret), std::string::npos) << result.message;

  transport.script = [](const HttpRequest&) {
    return HttpResult{.error = make_error_code(HttpError::timeout)};
  };
  EXPECT_EQ(authorize(auth, &result), "");
  EXPECT_TRUE(result.retryable());
  EXPECT_EQ(result.message.find(kSecret), std::string::npos) << result.message;
  EXPECT_EQ(auth.fetches(), 3u);  // failures are not cached
}

TEST_F(TokenExchangeTest, FailedEarlyRefreshKeepsTheValidToken) {
  TokenExchange auth = make();
  EXPECT_EQ(authorize(auth), "Bearer t1");
  transport.script = [](const HttpRequest&) { return HttpResult{.status = 502}; };
  now += 3400s;  // inside the refresh window, not expired
  AuthResult result;
  EXPECT_EQ(authorize(auth, &result), "Bearer t1");
  EXPECT_TRUE(result.ok());
  now += 200s;  // expired
  EXPECT_EQ(authorize(auth, &result), "");
  EXPECT_FALSE(result.ok());
}

TEST_F(TokenExchangeTest, RejectsBadOptions) {
  auto o = options();
  o.api_key_secret.clear();
  EXPECT_THROW(TokenExchange(transport, o), std::invalid_argument);
  o = options();
  o.refresh_ahead = o.lifetime;
  EXPECT_THROW(TokenExchange(transport, o), std::invalid_argument);
}

// End to end over the real client: a 401 on a vendor call invalidates the token, the retry
// carries a fresh one, and the token endpoint is hit once per token.
TEST(TokenExchangeOverHttp, UnauthorizedRefreshesOnce) {
  asio::io_context io;
  int tokens_issued = 0;
  std::vector<std::string> authorizations;
  test::ScriptedServer server(io, [&](const test::ReceivedRequest& r) {
    test::ScriptedResponse s;
    if (r.target == "/operator_authentication/tokens") {
      s.body = R"({"token":"tok-)" + std::to_string(++tokens_issued) + R"("})";
      return s;
    }
    authorizations.push_back(std::string(find_header(r.headers, "Authorization").value_or("")));
    s.status = authorizations.size() == 2 ? 401 : 200;  // the second call: token revoked
    return s;
  });
  HttpClient client(io, {.base_url = server.base_url()});
  TokenExchange::Options o;
  o.api_key_id = "id";
  o.api_key_secret = "secret";
  TokenExchange auth(client, o);
  auto call = [&]() -> asio::awaitable<Outcome> {
    bool reauthed = false;
    for (;;) {
      HttpRequest request{.method = "POST", .target = "/operators/7", .body = "{}"};
      AuthResult a = co_await auth.apply(request);
      if (!a.ok()) co_return Outcome::retry;
      HttpResult r = co_await client.request(request);
      const Outcome outcome = classify(r, reauthed);
      if (outcome != Outcome::reauth) co_return outcome;
      auth.invalidate();
      reauthed = true;
    }
  };
  auto body = [&]() -> asio::awaitable<void> {
    EXPECT_EQ(co_await call(), Outcome::ok);
    EXPECT_EQ(co_await call(), Outcome::ok);  // 401, refresh, 200
    EXPECT_EQ(co_await call(), Outcome::ok);
  };
  test::run_until_done(io, body());
  EXPECT_EQ(tokens_issued, 2);
  EXPECT_EQ(auth.fetches(), 2u);
  EXPECT_EQ(authorizations, (std::vector<std::string>{"Bearer tok-1", "Bearer tok-1",
                                                      "Bearer tok-2", "Bearer tok-2"}));
  EXPECT_EQ(server.connections(), 1u);  // token and vendor calls share the keep-alive pool
}

}  // namespace
}  // namespace opsync
