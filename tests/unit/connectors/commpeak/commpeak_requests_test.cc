// The exact requests CommPeak receives for a sequence of canonical changes (golden/requests.json),
// the e-mail lookup, and how CommPeak's answers become PushResults. No network: a recording fake
// transport answers from a script.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <memory>

#include "common/auth.h"
#include "commpeak/commpeak_connector.h"
#include "framework/diff.h"
#include "support/recording_transport.h"

namespace opsync {
namespace {

CommPeakSettings settings() {
  CommPeakSettings s;
  s.base_url = "http://127.0.0.1:1";
  s.username = "api-user";
  s.password = Secret("api-password");
  s.time_zones = {{"Europe/Lisbon", 42}, {"America/New_York", 7}};
  return s;
}

// Plays the dispatcher's part: diff against the shadow, required fields, shadow update.
class Harness {
 public:
  Harness()
      : log_(std::make_shared<test::RecordingLog>()),
        connector_("commpeak_eu", settings(), std::make_unique<test::RecordingTransport>(log_)) {}

  std::optional<PushResult> push(const CanonicalOperator& op) {
    MapResult mapped = connector_.map(op);
    EXPECT_TRUE(mapped.ok()) << mapped.error;
    PushContext ctx;
    ctx.operator_id = op.id;
    ctx.vendor_id = vendor_id;
    ctx.desired = mapped.fields;
    ctx.changed = diff_fields(mapped.fields, shadow, connector_.clear_style());
    add_required_fields(ctx.changed, ctx.desired, connector_.required_fields());
    ctx.deleted = op.deleted;
    if (ctx.changed.empty()) return std::nullopt;
    const boost::json::object changed = ctx.changed;
    PushResult result = test::run(io_, connector_.push(std::move(ctx)));
    if (result.outcome == PushOutcome::ok) {
      shadow = merge_into_shadow(shadow, result.acknowledged.value_or(changed), mapped.fields);
      if (result.vendor_id) vendor_id = result.vendor_id;
    }
    return result;
  }

  test::RecordingLog& log() { return *log_; }

  std::optional<std::string> vendor_id;
  boost::json::object shadow;

 private:
  boost::asio::io_context io_;
  std::shared_ptr<test::RecordingLog> log_;
  CommPeakConnector connector_;
};

CanonicalOperator jane() {
  CanonicalOperator op;
  op.id = "emp-1";
  op.attributes = {{"given_name", "Jane"},
                   {"family_name", "Doe"},
                   {"email", "jane@example.com"},
                   {"active", true},
                   {"sip_uri", "sip:jane@pbx.example.com"},
                   {"timezone", "Europe/Lisbon"},
                   {"locale", "pt-BR"},
                   {"max_concurrent_chats", 2},
                   {"channels", {{"voice", true}, {"video", false}}}};
  return op;
}

const boost::json::object& golden() {
  static const boost::json::object g =
      test::read_json_file(COMMPEAK_GOLDEN_DIR "/requests.json").as_object();
  return g;
}

void expect_golden(const HttpRequest& request, const char* name) {
  EXPECT_EQ(test::golden_view(request), golden().at(name))
      << name << ": " << boost::json::serialize(test::golden_view(request));
}

TEST(CommPeakRequests, GoldenSequence) {
  Harness h;
  h.vendor_id = "17";
  CanonicalOperator op = jane();
  auto r = h.push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_FALSE(r->vendor_id);

  op.attributes["given_name"] = "Janet";
  ASSERT_TRUE(h.push(op));

  // Clearing sip_uri sends ""; clearing the time zone sends nothing (CommPeak keeps its zone).
  op.attributes.erase("sip_uri");
  op.attributes.erase("timezone");
  ASSERT_TRUE(h.push(op));
  EXPECT_FALSE(h.shadow.contains("timezone_id"));

  op.attributes["active"] = false;
  ASSERT_TRUE(h.push(op));
  op.attributes["active"] = true;
  ASSERT_TRUE(h.push(op));
  op.deleted = true;
  r = h.push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok);

  const auto& sent = h.log().requests;
  ASSERT_EQ(sent.size(), 6u);
  expect_golden(sent[0], "first_push");
  expect_golden(sent[1], "one_field_change");
  expect_golden(sent[2], "clear");
  expect_golden(sent[3], "deactivation");
  expect_golden(sent[5], "delete");
  for (const auto& req : sent) {
    EXPECT_EQ(find_header(req.headers, "Authorization").value_or(""),
              "Basic " + base64_encode("api-user:api-password"));
  }
  EXPECT_FALSE(h.push(op));  // already inactive: no call
}

TEST(CommPeakRequests, ClearingOnlyAnUnclearableFieldSendsNothing) {
  Harness h;
  h.vendor_id = "17";
  CanonicalOperator op = jane();
  ASSERT_TRUE(h.push(op));
  op.attributes.erase("timezone");
  auto r = h.push(op);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::ok);
  EXPECT_EQ(h.log().requests.size(), 1u);
  EXPECT_FALSE(h.shadow.contains("timezone_id"));
}

TEST(CommPeakRequests, LooksUpByEmailAndLearnsTheId) {
  Harness h;
  h.log().script.push_back(test::answer(200, R"({"users":[
      {"id":"4","email":"someone@example.com"},
      {"id":"5","email":"JANE@example.com","is_active":"1"}]})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(r->vendor_id, "5");
  ASSERT_EQ(h.log().requests.size(), 2u);
  expect_golden(h.log().requests[0], "lookup");
  expect_golden(h.log().requests[1], "after_lookup");
}

TEST(CommPeakRequests, NumericIdsInTheListWork) {
  Harness h;
  h.log().script.push_back(test::answer(200, R"({"users":[{"id":9,"email":"jane@example.com"}]})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(r->vendor_id, "9");
}

TEST(CommPeakRequests, UnmatchedEmailIsPermanentUnmapped) {
  Harness h;
  h.log().script.push_back(test::answer(200, R"({"users":[{"id":"4","email":"x@example.com"}]})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("unmapped"), std::string::npos) << r->message;
  EXPECT_NE(r->message.find("external_ids.commpeak_eu"), std::string::npos) << r->message;
  EXPECT_EQ(h.log().requests.size(), 1u);
}

TEST(CommPeakRequests, AmbiguousEmailIsPermanent) {
  Harness h;
  h.log().script.push_back(test::answer(
      200,
      R"({"users":[{"id":"4","email":"jane@example.com"},{"id":"6","email":"Jane@Example.com"}]})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("2 CommPeak users"), std::string::npos) << r->message;
}

TEST(CommPeakRequests, NoEmailNoIdSendsNothing) {
  Harness h;
  CanonicalOperator op = jane();
  op.attributes.erase("email");
  auto r = h.push(op);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("external_ids.commpeak_eu"), std::string::npos);
  EXPECT_TRUE(h.log().requests.empty());
}

TEST(CommPeakRequests, LookupFailures) {
  {
    Harness h;
    h.log().script.push_back(test::answer(404, R"({"status":"error","message":"Not found"})"));
    auto r = h.push(jane());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, PushOutcome::permanent);
    EXPECT_EQ(r->message, "user lookup (GET /api/users): CommPeak 404: Not found");
  }
  {
    Harness h;
    h.log().script.push_back(test::answer(503, "upstream down"));
    auto r = h.push(jane());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, PushOutcome::retry);
    EXPECT_TRUE(r->vendor_failure);
  }
  {
    Harness h;
    h.log().script.push_back(test::answer(200, R"([1,2])"));
    auto r = h.push(jane());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, PushOutcome::permanent);
  }
}

TEST(CommPeakRequests, NonNumericIdIsPermanentAndSendsNothing) {
  Harness h;
  h.vendor_id = "abc";
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_TRUE(h.log().requests.empty());
}

TEST(CommPeakRequests, Unauthorized401IsPermanentAfterOneRetry) {
  Harness h;
  h.vendor_id = "17";
  h.log().script.push_back(test::answer(401, R"({"status":"error","message":"Unauthorized"})"));
  h.log().script.push_back(test::answer(401, R"({"status":"error","message":"Unauthorized"})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->message, "CommPeak 401: Unauthorized");
  EXPECT_EQ(h.log().requests.size(), 2u);
  ASSERT_TRUE(r->request);
  EXPECT_EQ(find_header(r->request->headers, "Authorization").value_or(""), "***");
}

TEST(CommPeakRequests, ClientErrorsArePermanentWithTheVendorsWords) {
  struct Case {
    unsigned status;
    const char* body;
    const char* message;
  };
  const Case cases[] = {
      {422,
       R"({"status":"error","message":"Validation failed","errors":{"email":"must be a valid email address","timezone_id":"must be a number"}})",
       "CommPeak 422: Validation failed (email: must be a valid email address; timezone_id: must "
       "be a number)"},
      {404, R"({"status":"error","message":"User not found"})", "CommPeak 404: User not found"},
      {400, R"({"error":"Bad request"})", "CommPeak 400: Bad request"},
      {403, "Forbidden: IP not allowed", "CommPeak 403: Forbidden: IP not allowed"},
      {400, "", "CommPeak 400: no error message"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    Harness h;
    h.vendor_id = "17";
    h.log().script.push_back(test::answer(c.status, c.body));
    auto r = h.push(jane());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, PushOutcome::permanent);
    EXPECT_EQ(r->status, c.status);
    EXPECT_EQ(r->message, c.message);
  }
}

TEST(CommPeakRequests, ThrottlingRetries) {
  Harness h;
  h.vendor_id = "17";
  HttpResult throttled = test::answer(429, "{}");
  throttled.headers.push_back({"Retry-After", "2"});
  h.log().script.push_back(throttled);
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::retry);
  EXPECT_EQ(r->retry_after, std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace opsync
