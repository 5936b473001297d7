#include "common/auth.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "async_test.h"

namespace opsync {
namespace {

namespace asio = boost::asio;

HttpRequest apply(AuthProvider& provider, HttpRequest request = {}) {
  asio::io_context io;
  AuthResult result;
  auto body = [&]() -> asio::awaitable<void> { result = co_await provider.apply(request); };
  test::run_until_done(io, body());
  EXPECT_TRUE(result.ok());
  return request;
}

TEST(Auth, Base64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(base64_encode("\xff\xfe\x00"), "//4=");
}

TEST(Auth, StaticBearerReplacesAnyAuthorization) {
  StaticBearer bearer("idc_abc");
  HttpRequest request;
  request.headers = {{"authorization", "old"}, {"Accept", "application/json"}};
  request = apply(bearer, request);
  EXPECT_EQ(find_header(request.headers, "Authorization"), "Bearer idc_abc");
  EXPECT_EQ(request.headers.size(), 2u);
  bearer.invalidate();  // no-op for static credentials
  EXPECT_EQ(find_header(apply(bearer).headers, "Authorization"), "Bearer idc_abc");
}

TEST(Auth, BasicAuth) {
  BasicAuth basic("Aladdin", "open sesame");
  EXPECT_EQ(find_header(apply(basic).headers, "Authorization"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(Auth, ApiKeyHeader) {
  ApiKeyHeader key("X-API-Key", "k-123");
  EXPECT_EQ(find_header(apply(key).headers, "x-api-key"), "k-123");
}

TEST(Auth, BadCredentialsFailAtStartUpWithoutEchoingThem) {
  auto expect_clean_throw = [](auto make, std::string_view secret) {
    try {
      make();
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    }
  };
  expect_clean_throw([] { StaticBearer("tk9Zq\r\nX-Injected: 1"); }, "tk9Zq");
  expect_clean_throw([] { BasicAuth("us:er", "pa55word"); }, "pa55word");
  expect_clean_throw([] { BasicAuth("user", "pa55\nword"); }, "pa55");
  expect_clean_throw([] { ApiKeyHeader("X API Key", "k3y"); }, "k3y");
  expect_clean_throw([] { ApiKeyHeader("X-API-Key", "k3y\r\n"); }, "k3y");
}

TEST(Auth, RetryableOutcomes) {
  AuthResult r;
  EXPECT_FALSE(r.retryable());
  r.error = AuthError::token_request_failed;
  r.status = 503;
  EXPECT_TRUE(r.retryable());
  r.status = 429;
  EXPECT_TRUE(r.retryable());
  r.status = 401;
  EXPECT_FALSE(r.retryable());
  r.status = 403;
  EXPECT_FALSE(r.retryable());
  r.error = AuthError::bad_token_response;
  r.status = 0;
  EXPECT_FALSE(r.retryable());
  r.error = make_error_code(HttpError::timeout);
  EXPECT_TRUE(r.retryable());
}

}  // namespace
}  // namespace opsync
