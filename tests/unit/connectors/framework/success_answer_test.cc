// What a connector requires of a vendor's 2xx answer before it trusts it (success_answer.h).
#include "framework/success_answer.h"

#include <gtest/gtest.h>

#include <string>

namespace opsync {
namespace {

HttpResult answer(std::string body, std::string type = "application/json") {
  HttpResult r;
  r.status = 200;
  if (!type.empty()) r.headers.push_back({"Content-Type", std::move(type)});
  r.body = std::move(body);
  return r;
}

TEST(SuccessAnswer, JsonContentTypes) {
  EXPECT_TRUE(content_type_allows_json({}));
  EXPECT_TRUE(content_type_allows_json({{"content-type", "application/json; charset=utf-8"}}));
  EXPECT_TRUE(content_type_allows_json({{"Content-Type", "application/vnd.salemove.v1+json"}}));
  EXPECT_FALSE(content_type_allows_json({{"Content-Type", "text/html; charset=utf-8"}}));
  EXPECT_FALSE(content_type_allows_json({{"Content-Type", "text/plain"}}));
}

TEST(SuccessAnswer, OnlyAJsonObjectDeclaredAsJsonOrUndeclared) {
  EXPECT_TRUE(success_object(answer(R"({"id":"a"})")));
  EXPECT_TRUE(success_object(answer(R"({"id":"a"})", "")));
  EXPECT_FALSE(success_object(answer(R"({"id":"a"})", "text/html")));
  EXPECT_FALSE(success_object(answer("<html><body>Bad gateway</body></html>", "text/html")));
  EXPECT_FALSE(success_object(answer("[1,2]")));
  EXPECT_FALSE(success_object(answer("")));
  EXPECT_FALSE(success_object(answer(R"({"id":)")));
}

TEST(SuccessAnswer, DescribesTheBodyWithoutQuotingIt) {
  EXPECT_EQ(describe_answer(answer(std::string(1234, 'x'), "text/html; charset=utf-8")),
            "text/html, 1.2 kB");
  EXPECT_EQ(describe_answer(answer("<p>hi</p>", "")), "no Content-Type, 9 bytes");
  EXPECT_EQ(describe_answer(answer("", "text/plain")), "text/plain, empty body");
}

TEST(SuccessAnswer, ADoubtRetriesAndDropsTheBody) {
  const HttpResult page = answer("<html>secret-token-echo</html>", "text/html");
  PushResult r;
  r.status = 200;
  r.response_body = page.body;
  r.acknowledged = boost::json::object{{"name", "x"}};
  doubt_success(r, page, "Glia", "the body is not the operator JSON the API documents");
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.vendor_failure);
  EXPECT_FALSE(r.acknowledged);
  EXPECT_TRUE(r.response_body.empty());
  EXPECT_EQ(r.message,
            "Glia answered 200 but the body is not the operator JSON the API documents "
            "(text/html, 30 bytes)");
}

TEST(SuccessAnswer, IdsAsStringsOrNumbers) {
  const boost::json::value s = "17", n = 17, empty = "", b = true;
  EXPECT_EQ(json_id_text(&s), "17");
  EXPECT_EQ(json_id_text(&n), "17");
  EXPECT_FALSE(json_id_text(&empty));
  EXPECT_FALSE(json_id_text(&b));
  EXPECT_FALSE(json_id_text(nullptr));
}

}  // namespace
}  // namespace opsync
