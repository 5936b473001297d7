// Golden request tests: for a set of canonical changes, the exact requests Glia receives
// (method, path, headers with secrets as ***, body) and the push result, against a scripted
// transport. golden/requests_*.json hold {"requests": [...], "result": {...}}.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <memory>

#include "framework/diff.h"
#include "glia/glia_connector.h"
#include "support/fake_transport.h"

namespace opsync {
namespace {

namespace json = boost::json;
using test::FakeTransport;

constexpr const char* kId = "f42811bc-8519-4d33-bbb1-36d4555ecb0a";

GliaSettings settings() {
  GliaSettings s;
  s.base_url = "http://glia.test";
  s.api_key_id = Secret("key-id");
  s.api_key_secret = Secret("key-secret");
  s.teams = {{"support", "site-1/team-support"}};
  return s;
}

CanonicalOperator jane(bool deleted = false) {
  CanonicalOperator op;
  op.id = "emp-42";
  op.deleted = deleted;
  op.attributes = json::parse(R"({"display_name": "Jane Doe", "email": "Jane.Doe@example.com",
      "phone": "+15551234567", "phone_extension": "12", "active": true,
      "teams": ["support"], "max_concurrent_chats": 2})")
                      .as_object();
  return op;
}

struct Fixture {
  explicit Fixture(GliaSettings s = settings())
      : transport(std::make_shared<FakeTransport>()),
        connector("glia_eu", std::move(s), transport, [this] { return now; }) {}

  // A push the way the dispatcher builds it: map, diff against the shadow.
  PushResult push(const CanonicalOperator& op, const json::object& shadow,
                  std::optional<std::string> vendor_id) {
    PushContext ctx;
    ctx.operator_id = op.id;
    ctx.vendor_id = std::move(vendor_id);
    ctx.deleted = op.deleted;
    if (!(op.deleted && connector.delete_policy() == DeletePolicy::remove)) {
      MapResult m = connector.map(op);
      EXPECT_TRUE(m.ok()) << m.error;
      ctx.desired = m.fields;
      ctx.changed = diff_fields(ctx.desired, shadow, connector.clear_style());
    }
    return test::run(connector.push(std::move(ctx)));
  }

  void expect(const std::string& name, const PushResult& r) {
    json::object result{
        {"outcome", to_string(r.outcome)}, {"status", r.status}, {"message", r.message}};
    if (r.vendor_id) result["vendor_id"] = *r.vendor_id;
    test::expect_golden(std::string(GLIA_GOLDEN_DIR) + "/requests_" + name + ".json",
                        json::object{{"requests", transport->redacted()}, {"result", result}});
  }

  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  std::shared_ptr<FakeTransport> transport;
  GliaConnector connector;
};

// Answers the token call, the operator list (two pages) and updates.
HttpResult glia_vendor(const HttpRequest& r, int* tokens) {
  if (r.target == "/operator_authentication/tokens") {
    ++*tokens;
    return FakeTransport::respond(200, R"({"token":"tok-)" + std::to_string(*tokens) + R"("})");
  }
  if (r.target == "/operators?include_disabled=true&page=1") {
    return FakeTransport::respond(200,
                                  R"({"operators":[{"id":"other","email":"someone@example.com"}],
                 "next_page":"http://glia.test/operators?include_disabled=true&page=2",
                 "last_page":"http://glia.test/operators?include_disabled=true&page=2"})");
  }
  if (r.target == "/operators?include_disabled=true&page=2") {
    return FakeTransport::respond(200, std::string(R"({"operators":[{"id":")") + kId +
                                           R"(","email":"jane.doe@example.com"}],
                 "next_page":null,"last_page":"http://glia.test/operators?page=2"})");
  }
  if (r.method == "POST" && r.target == "/operators") {
    return FakeTransport::respond(201, R"({"id":"new-operator-1","name":"Jane Doe"})");
  }
  if (r.method == "DELETE") return FakeTransport::respond(204, "");
  return FakeTransport::respond(200, std::string(R"({"id":")") + kId + R"("})");
}

TEST(GliaRequests, FirstPushLooksUpByEmail) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) { return glia_vendor(r, &tokens); };
  PushResult r = f.push(jane(), {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_EQ(r.vendor_id, kId);
  for (const auto& req : f.transport->requests) {
    EXPECT_EQ(find_header(req.headers, "Accept"), GliaConnector::kMediaType) << req.target;
  }
  f.expect("first_push_lookup", r);
}

TEST(GliaRequests, FirstPushCreatesWhenAllowed) {
  GliaSettings s = settings();
  s.create_missing = true;
  Fixture f(s);
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) {
    if (r.target.starts_with("/operators?")) {
      return FakeTransport::respond(200, R"({"operators":[],"next_page":null})");
    }
    return glia_vendor(r, &tokens);
  };
  PushResult r = f.push(jane(), {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_EQ(r.vendor_id, "new-operator-1");
  f.expect("first_push_create", r);
}

TEST(GliaRequests, UnmappedWithoutCreateIsPermanent) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) {
    if (r.target.starts_with("/operators?")) {
      return FakeTransport::respond(200, R"({"operators":[],"next_page":null})");
    }
    return glia_vendor(r, &tokens);
  };
  PushResult r = f.push(jane(), {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("unmapped"), std::string::npos);
  f.expect("unmapped", r);
}

json::object shadow_of(const CanonicalOperator& op, const GliaConnector& c) {
  return c.map(op).fields;
}

TEST(GliaRequests, OneFieldChange) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) { return glia_vendor(r, &tokens); };
  CanonicalOperator op = jane();
  const json::object shadow = shadow_of(op, f.connector);
  op.attributes["phone"] = "+15557654321";
  PushResult r = f.push(op, shadow, kId);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_FALSE(r.vendor_id);
  f.expect("one_field_change", r);
}

TEST(GliaRequests, ClearSendsNullAndKeepsWhatGliaCannotClear) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) { return glia_vendor(r, &tokens); };
  CanonicalOperator op = jane();
  const json::object shadow = shadow_of(op, f.connector);
  op.attributes.erase("phone");
  op.attributes.erase("phone_extension");
  op.attributes.erase("max_concurrent_chats");
  op.attributes.erase("display_name");  // Glia refuses a blank name: left as it is
  PushResult r = f.push(op, shadow, kId);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("clear", r);
}

TEST(GliaRequests, DeactivationOnDelete) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) { return glia_vendor(r, &tokens); };
  const json::object shadow = shadow_of(jane(), f.connector);
  PushResult r = f.push(jane(true), shadow, kId);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("deactivate", r);
}

TEST(GliaRequests, DeletePolicyDelete) {
  GliaSettings s = settings();
  s.delete_policy = "delete";
  Fixture f(s);
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) { return glia_vendor(r, &tokens); };
  PushResult r = f.push(jane(true), {}, kId);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("delete", r);
}

TEST(GliaRequests, UnauthorizedRefreshesTheTokenOnce) {
  Fixture f;
  int tokens = 0;
  int updates = 0;
  f.transport->handler = [&](const HttpRequest& r) {
    if (r.method == "POST" && r.target == std::string("/operators/") + kId && updates++ == 0) {
      return FakeTransport::respond(401, R"({"error":"Unauthorized","message":"expired"})");
    }
    return glia_vendor(r, &tokens);
  };
  CanonicalOperator op = jane();
  const json::object shadow = shadow_of(op, f.connector);
  op.attributes["display_name"] = "Jane Q. Doe";
  PushResult r = f.push(op, shadow, kId);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_EQ(f.connector.token_fetches(), 2U);
  f.expect("unauthorized_refresh", r);
}

TEST(GliaRequests, SecondUnauthorizedIsPermanent) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) {
    if (r.target == "/operator_authentication/tokens") return glia_vendor(r, &tokens);
    return FakeTransport::respond(401, R"({"error":"Unauthorized","message":"Invalid token"})");
  };
  CanonicalOperator op = jane();
  const json::object shadow = shadow_of(op, f.connector);
  op.attributes["display_name"] = "Jane Q. Doe";
  PushResult r = f.push(op, shadow, kId);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.message, "Invalid token");
  EXPECT_EQ(f.transport->requests.size(), 4U);  // token, update, token, update
}

TEST(GliaRequests, ValidationErrorIsPermanentWithGliasWords) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) {
    if (r.target == "/operator_authentication/tokens") return glia_vendor(r, &tokens);
    return FakeTransport::respond(422,
                                  R"({"error":"Unprocessable Entity","message":"Validation failed",
                 "errors":{"email":["has already been taken"]}})");
  };
  CanonicalOperator op = jane();
  const json::object shadow = shadow_of(op, f.connector);
  op.attributes["email"] = "taken@example.com";
  PushResult r = f.push(op, shadow, kId);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 422U);
  EXPECT_EQ(r.message, "Validation failed: email has already been taken");
  f.expect("validation_error", r);
}

TEST(GliaRequests, ServerErrorsAndThrottlingRetry) {
  Fixture f;
  int tokens = 0;
  unsigned status = 503;
  f.transport->handler = [&](const HttpRequest& r) {
    if (r.target == "/operator_authentication/tokens") return glia_vendor(r, &tokens);
    return FakeTransport::respond(status, R"({"error":"x","message":"Injected server error"})",
                                  {{"Retry-After", "7"}});
  };
  PushResult r = f.push(jane(), {}, kId);
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.vendor_failure);
  status = 429;
  r = f.push(jane(), {}, kId);
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.throttle_connector);
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(7000));
}

TEST(GliaRequests, TokenIsReusedAndRefreshedBeforeExpiry) {
  Fixture f;
  int tokens = 0;
  f.transport->handler = [&](const HttpRequest& r) { return glia_vendor(r, &tokens); };
  const json::object shadow = shadow_of(jane(), f.connector);
  CanonicalOperator op = jane();
  op.attributes["display_name"] = "A";
  f.push(op, shadow, kId);
  f.push(op, shadow, kId);
  EXPECT_EQ(f.connector.token_fetches(), 1U);
  f.now += std::chrono::minutes(56);  // within the 5 minutes before the hour is up
  f.push(op, shadow, kId);
  EXPECT_EQ(f.connector.token_fetches(), 2U);
}

TEST(GliaRequests, UnknownIdIsPermanent) {
  Fixture f;
  PushResult r = f.push(jane(), {}, std::string("../admin"));
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_TRUE(f.transport->requests.empty());
}

}  // namespace
}  // namespace opsync
