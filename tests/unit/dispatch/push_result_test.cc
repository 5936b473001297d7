#include <gtest/gtest.h>

#include "framework/connector.h"

namespace opsync {
namespace {

HttpResult answer(unsigned status, std::string body) {
  HttpResult r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(PushResultFromHttp, ClassifiesAndKeepsTheVendorsWords) {
  const HttpRequest req;
  const auto now = std::chrono::system_clock::now();
  auto ok = push_result_from_http(answer(200, "{}"), req, now);
  EXPECT_EQ(ok.outcome, PushOutcome::ok);
  auto rejected =
      push_result_from_http(answer(422, R"({"error":"Name can't be blank"})"), req, now);
  EXPECT_EQ(rejected.outcome, PushOutcome::permanent);
  EXPECT_NE(rejected.message.find("Name can't be blank"), std::string::npos);
  EXPECT_FALSE(rejected.vendor_failure);
  auto down = push_result_from_http(answer(503, "busy"), req, now);
  EXPECT_EQ(down.outcome, PushOutcome::retry);
  EXPECT_TRUE(down.vendor_failure);
}

// Found by fuzzing: a 429 or 5xx with no body left no reason in logs and dead letters.
TEST(PushResultFromHttp, AnEmptyBodyStillGivesAReason) {
  const HttpRequest req;
  auto r = push_result_from_http(answer(429, ""), req, std::chrono::system_clock::now());
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_EQ(r.message, "HTTP 429 with an empty body");
  r = push_result_from_http(answer(500, " \r\n"), req, std::chrono::system_clock::now());
  EXPECT_EQ(r.message, "HTTP 500 with an empty body");
}

// Issue 13 item 11: the vendor's own Retry-After survives next to the bounded one, so the pause
// can be logged and shown with what the vendor asked for.
TEST(PushResultFromHttp, KeepsTheVendorsRetryAfterBeforeTheBound) {
  const HttpRequest req;
  HttpResult limited = answer(429, "slow down");
  limited.headers.push_back({"Retry-After", "3600"});
  auto r = push_result_from_http(limited, req, std::chrono::system_clock::now());
  EXPECT_TRUE(r.throttle_connector);
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(300'000));
  EXPECT_EQ(r.requested_retry_after, std::chrono::milliseconds(3'600'000));
  limited.headers.back().value = "2";
  r = push_result_from_http(limited, req, std::chrono::system_clock::now());
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(2'000));
  EXPECT_EQ(r.requested_retry_after, std::chrono::milliseconds(2'000));
}

}  // namespace
}  // namespace opsync
