#include "common/redact.h"

#include <gtest/gtest.h>

namespace opsync {
namespace {

TEST(Redact, SecretHeaders) {
  const HttpHeaders in = {{"Authorization", "Bearer abc"},
                          {"x-api-key", "k"},
                          {"Cookie", "s=1"},
                          {"X-Auth-Token", "t"},
                          {"X-Client-Secret", "s"},
                          {"X-Password", "p"},
                          {"Content-Type", "application/json"},
                          {"Accept", "application/vnd.salemove.v1+json"},
                          {"X-Request-Id", "r-1"}};
  const HttpHeaders out = redact_headers(in);
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(out[i].value, "***") << out[i].name;
  EXPECT_EQ(out[0].name, "Authorization");
  EXPECT_EQ(out[6].value, "application/json");
  EXPECT_EQ(out[7].value, "application/vnd.salemove.v1+json");
  EXPECT_EQ(out[8].value, "r-1");
}

TEST(Redact, QueryParameters) {
  EXPECT_EQ(redact_target("/operators/1"), "/operators/1");
  EXPECT_EQ(redact_target("/x?api_key=abc&page=2&token=t#f"), "/x?api_key=***&page=2&token=***#f");
  EXPECT_EQ(redact_target("/x?flag&Password=p"), "/x?flag&Password=***");
}

TEST(Redact, JsonBodies) {
  EXPECT_EQ(redact_json_body(R"({"success":true,"id":"7","accessToken":"secret-value"})"),
            R"({"success":true,"id":"7","accessToken":"***"})");
  EXPECT_EQ(redact_json_body(R"({"api_key_id":"id","api_key_secret":"s"})"),
            R"({"api_key_id":"***","api_key_secret":"***"})");
  EXPECT_EQ(redact_json_body(R"([{"name":"a","nested":{"token":"t"}}])"),
            R"([{"name":"a","nested":{"token":"***"}}])");
  EXPECT_EQ(redact_json_body("not json token=1"), "not json token=1");
  EXPECT_EQ(redact_json_body(""), "");
}

TEST(Redact, WholeRequest) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/operator_authentication/tokens";
  request.headers = {{"Authorization", "Bearer x"}, {"Content-Type", "application/json"}};
  request.body = R"({"email":"a@b.c","password":"hunter2"})";
  const HttpRequest out = redact_request(request);
  EXPECT_EQ(out.method, "POST");
  EXPECT_EQ(out.target, request.target);
  EXPECT_EQ(out.headers[0].value, "***");
  EXPECT_EQ(out.headers[1].value, "application/json");
  EXPECT_EQ(out.body, R"({"email":"a@b.c","password":"***"})");
  EXPECT_EQ(out.body.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace opsync

namespace opsync {
namespace {

TEST(RedactNames, SessionIdentifiersAreSecretButSessionCountsAreNot) {
  EXPECT_TRUE(is_secret_name("session_id"));
  EXPECT_TRUE(is_secret_name("X-Session-Id"));
  EXPECT_TRUE(is_secret_name("sessionKey"));
  EXPECT_FALSE(is_secret_name("max_concurrent_sessions"));
  EXPECT_FALSE(is_secret_name("sessions"));
}

}  // namespace
}  // namespace opsync
