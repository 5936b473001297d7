// Golden request tests: for a set of canonical changes, the exact requests IdentityCall receives
// (method, path, headers with secrets as ***, body) and the push result, against a scripted
// transport. golden/requests_*.json hold {"requests": [...], "result": {...}}.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <memory>

#include "framework/diff.h"
#include "identitycall/identitycall_connector.h"
#include "support/fake_transport.h"

namespace opsync {
namespace {

namespace json = boost::json;
using test::FakeTransport;

IdentityCallSettings settings() {
  IdentityCallSettings s;
  s.base_url = "http://identitycall.test/api/v1/public";
  s.api_key = Secret("idc_0123456789abcdefghijABCDEFGHIJ01");
  return s;
}

CanonicalOperator jane(bool deleted = false) {
  CanonicalOperator op;
  op.id = "emp-42";
  op.deleted = deleted;
  op.attributes = json::parse(R"({"display_name": "Jane Doe", "email": "Jane.Doe@example.com",
      "phone": "+15551234567", "active": true, "teams": ["support"]})")
                      .as_object();
  return op;
}

struct Fixture {
  explicit Fixture(IdentityCallSettings s = settings())
      : transport(std::make_shared<FakeTransport>()),
        connector("identitycall", std::move(s), transport) {}

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
    test::expect_golden(std::string(IDENTITYCALL_GOLDEN_DIR) + "/requests_" + name + ".json",
                        json::object{{"requests", transport->redacted()}, {"result", result}});
  }

  json::object shadow(const CanonicalOperator& op) const { return connector.map(op).fields; }

  std::shared_ptr<FakeTransport> transport;
  IdentityCallConnector connector;
};

HttpResult vendor(const HttpRequest& r) {
  if (r.method == "GET" && r.target == "/operators") {
    return FakeTransport::respond(200, R"({"data":[
        {"id":7,"name":"Other","phone_number":"+15550000000","email":null,"active":true},
        {"id":42,"name":"Jane","phone_number":"+15551234567","email":"jane.doe@example.com",
         "active":true,"initials":"J","virtual_numbers":[]}]})");
  }
  if (r.method == "POST") {
    return FakeTransport::respond(201, R"({"data":{"id":43,"name":"Jane Doe"}})");
  }
  if (r.method == "DELETE") return FakeTransport::respond(204, "");
  return FakeTransport::respond(200, R"({"data":{"id":42}})");
}

TEST(IdentityCallRequests, FirstPushLooksUpByEmail) {
  Fixture f;
  f.transport->handler = vendor;
  PushResult r = f.push(jane(), {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_EQ(r.vendor_id, "42");
  f.expect("first_push_lookup", r);
}

TEST(IdentityCallRequests, FirstPushCreatesWhenAllowed) {
  IdentityCallSettings s = settings();
  s.create_missing = true;
  Fixture f(s);
  f.transport->handler = [](const HttpRequest& r) {
    if (r.method == "GET") return FakeTransport::respond(200, R"({"data":[]})");
    return vendor(r);
  };
  PushResult r = f.push(jane(), {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_EQ(r.vendor_id, "43");
  f.expect("first_push_create", r);
}

TEST(IdentityCallRequests, CreateNeedsAPhoneNumber) {
  IdentityCallSettings s = settings();
  s.create_missing = true;
  Fixture f(s);
  f.transport->handler = [](const HttpRequest& r) {
    if (r.method == "GET") return FakeTransport::respond(200, R"({"data":[]})");
    return vendor(r);
  };
  CanonicalOperator op = jane();
  op.attributes.erase("phone");
  PushResult r = f.push(op, {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("phone number"), std::string::npos);
  EXPECT_EQ(f.transport->requests.size(), 1U);  // the lookup only
}

TEST(IdentityCallRequests, UnmappedWithoutCreateIsPermanent) {
  Fixture f;
  f.transport->handler = [](const HttpRequest& r) {
    if (r.method == "GET") return FakeTransport::respond(200, R"({"data":[]})");
    return vendor(r);
  };
  PushResult r = f.push(jane(), {}, std::nullopt);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("unmapped"), std::string::npos);
  f.expect("unmapped", r);
}

TEST(IdentityCallRequests, OneFieldChange) {
  Fixture f;
  f.transport->handler = vendor;
  CanonicalOperator op = jane();
  const json::object shadow = f.shadow(op);
  op.attributes["phone"] = "+15557654321";
  PushResult r = f.push(op, shadow, "42");
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("one_field_change", r);
}

TEST(IdentityCallRequests, ClearSendsEmailNullOnly) {
  Fixture f;
  f.transport->handler = vendor;
  CanonicalOperator op = jane();
  const json::object shadow = f.shadow(op);
  op.attributes.erase("email");
  op.attributes.erase("phone");  // IdentityCall cannot clear a phone number: left as it is
  PushResult r = f.push(op, shadow, "42");
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("clear", r);
}

TEST(IdentityCallRequests, DeactivationOnDelete) {
  Fixture f;
  f.transport->handler = vendor;
  PushResult r = f.push(jane(true), f.shadow(jane()), "42");
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("deactivate", r);
}

TEST(IdentityCallRequests, DeletePolicyDelete) {
  IdentityCallSettings s = settings();
  s.delete_policy = "delete";
  Fixture f(s);
  f.transport->handler = vendor;
  PushResult r = f.push(jane(true), {}, "42");
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  f.expect("delete", r);
}

TEST(IdentityCallRequests, UnauthorizedIsPermanentAfterOneRetry) {
  Fixture f;
  f.transport->handler = [](const HttpRequest&) {
    return FakeTransport::respond(401, R"({"error":"Invalid API key"})");
  };
  PushResult r = f.push(jane(), {}, "42");
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.message, "Invalid API key");
  EXPECT_EQ(f.transport->requests.size(), 2U);  // a static key: the same request once more
}

TEST(IdentityCallRequests, ValidationErrorIsPermanentWithTheVendorsWords) {
  Fixture f;
  f.transport->handler = [](const HttpRequest&) {
    return FakeTransport::respond(
        422, R"({"errors":["Phone number is invalid","Name can't be blank"]})");
  };
  CanonicalOperator op = jane();
  const json::object shadow = f.shadow(op);
  op.attributes["phone"] = "+19999999999";
  PushResult r = f.push(op, shadow, "42");
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 422U);
  EXPECT_EQ(r.message, "Phone number is invalid; Name can't be blank");
  f.expect("validation_error", r);
}

TEST(IdentityCallRequests, ErrorShapes) {
  EXPECT_EQ(identitycall_error_message(403, R"({"error":"Write permission required"})"),
            "Write permission required");
  EXPECT_EQ(identitycall_error_message(404, R"({"error":"Resource not found"})"),
            "Resource not found");
  EXPECT_EQ(identitycall_error_message(502, "<html>bad gateway</html>"),
            "<html>bad gateway</html>");
  EXPECT_EQ(identitycall_error_message(500, ""), "HTTP 500");
}

TEST(IdentityCallRequests, ThrottlingRetriesWithRetryAfter) {
  Fixture f;
  f.transport->handler = [](const HttpRequest&) {
    return FakeTransport::respond(429, R"({"error":"Too many requests"})", {{"Retry-After", "30"}});
  };
  PushResult r = f.push(jane(), {}, "42");
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.throttle_connector);
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(30'000));
  EXPECT_EQ(r.message, "Too many requests");
}

TEST(IdentityCallRequests, NonNumericIdIsPermanent) {
  Fixture f;
  PushResult r = f.push(jane(), {}, std::string("abc"));
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_TRUE(f.transport->requests.empty());
}

}  // namespace
}  // namespace opsync
