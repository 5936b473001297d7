// The exact requests Plug Chat receives for a sequence of canonical changes (golden/requests.json),
// id resolution, and how the vendor's answers become PushResults. No network: a recording fake
// transport answers from a script.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <memory>

#include "framework/diff.h"
#include "plugchat/plugchat_connector.h"
#include "support/recording_transport.h"

namespace opsync {
namespace {

constexpr const char* kAccessToken = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWFjY2Vzcy10b2tlbg.sig";

PlugChatSettings settings(bool create_missing = false) {
  PlugChatSettings s;
  s.base_url = "http://127.0.0.1:1";
  s.account_id = "acc-1";
  s.integrator_token = Secret("test-integrator-token");
  s.create_missing = create_missing;
  s.teams = {{"support", "dep-support"}, {"sales", "dep-sales"}};
  return s;
}

// Plays the dispatcher's part: diff against the shadow, required fields, shadow update.
class Harness {
 public:
  explicit Harness(bool create_missing = false)
      : log_(std::make_shared<test::RecordingLog>()),
        connector_("plugchat_br", settings(create_missing),
                   std::make_unique<test::RecordingTransport>(log_)) {}

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
    PushResult result = test::run(io_, connector_.push(ctx));
    if (result.outcome == PushOutcome::ok) {
      shadow = merge_into_shadow(shadow, result.acknowledged.value_or(ctx.changed), ctx.desired);
      if (result.vendor_id) vendor_id = result.vendor_id;
    }
    return result;
  }

  test::RecordingLog& log() { return *log_; }
  PlugChatConnector& connector() { return connector_; }

  std::optional<std::string> vendor_id;
  boost::json::object shadow;

 private:
  boost::asio::io_context io_;
  std::shared_ptr<test::RecordingLog> log_;
  PlugChatConnector connector_;
};

CanonicalOperator jane() {
  CanonicalOperator op;
  op.id = "emp-1";
  op.attributes = {{"given_name", "Jane"},
                   {"family_name", "Doe"},
                   {"email", "jane@example.com"},
                   {"active", true},
                   {"role", "operator"},
                   {"teams", {"support"}},
                   {"external_ids", {{"plugchat_br", "op-42"}}}};
  return op;
}

HttpResult ok_answer(const std::string& id) {
  return test::answer(
      200, R"({"success":true,"id":")" + id + R"(","accessToken":")" + kAccessToken + R"("})");
}

const boost::json::object& golden() {
  static const boost::json::object g =
      test::read_json_file(PLUGCHAT_GOLDEN_DIR "/requests.json").as_object();
  return g;
}

void expect_golden(const HttpRequest& request, const char* name) {
  EXPECT_EQ(test::golden_view(request), golden().at(name))
      << name << ": " << boost::json::serialize(test::golden_view(request));
}

void expect_no_access_token(const PushResult& r) {
  EXPECT_EQ(r.response_body.find(kAccessToken), std::string::npos);
  EXPECT_EQ(r.message.find(kAccessToken), std::string::npos);
  if (r.acknowledged) {
    EXPECT_EQ(boost::json::serialize(*r.acknowledged).find(kAccessToken), std::string::npos);
  }
  if (r.request) {
    EXPECT_EQ(r.request->body.find(kAccessToken), std::string::npos);
  }
}

TEST(PlugChatRequests, GoldenSequence) {
  Harness h;
  h.vendor_id = "op-42";  // from external_ids.plugchat_br
  CanonicalOperator op = jane();

  h.log().script.push_back(ok_answer("op-42"));
  auto first = h.push(op);
  ASSERT_TRUE(first && first->outcome == PushOutcome::ok) << (first ? first->message : "");
  expect_no_access_token(*first);
  EXPECT_FALSE(first->vendor_id);  // nothing new learned

  op.attributes["display_name"] = "Jane D.";
  ASSERT_TRUE(h.push(op));

  op.attributes.erase("teams");
  ASSERT_TRUE(h.push(op));

  op.attributes["active"] = false;
  ASSERT_TRUE(h.push(op));

  op.attributes["active"] = true;
  ASSERT_TRUE(h.push(op));
  op.deleted = true;
  auto deleted = h.push(op);
  ASSERT_TRUE(deleted && deleted->outcome == PushOutcome::ok);

  const auto& sent = h.log().requests;
  ASSERT_EQ(sent.size(), 6u);
  expect_golden(sent[0], "first_push");
  expect_golden(sent[1], "one_field_change");
  expect_golden(sent[2], "clear");
  expect_golden(sent[3], "deactivation");
  expect_golden(sent[5], "delete");
  // The credential really goes on the wire, and every call says JSON.
  for (const auto& r : sent) {
    EXPECT_EQ(find_header(r.headers, "Authorization").value_or(""), "Bearer test-integrator-token");
    EXPECT_EQ(find_header(r.headers, "Content-Type").value_or(""), "application/json");
  }

  // A deleted operator that is already inactive needs no call at all.
  EXPECT_FALSE(h.push(op));
}

TEST(PlugChatRequests, CreatesWhenAllowedAndLearnsTheId) {
  Harness h(/*create_missing=*/true);
  CanonicalOperator op = jane();
  h.log().script.push_back(ok_answer("new-7"));
  auto r = h.push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  ASSERT_EQ(h.log().requests.size(), 1u);
  expect_golden(h.log().requests[0], "create");
  EXPECT_EQ(r->vendor_id, "new-7");
  expect_no_access_token(*r);
  EXPECT_NE(r->response_body.find("***"), std::string::npos);

  // The next change is an update of the learned id.
  op.attributes["display_name"] = "Jane D.";
  ASSERT_TRUE(h.push(op));
  ASSERT_EQ(h.log().requests.size(), 2u);
  EXPECT_EQ(h.log().requests[1].method, "PUT");
  EXPECT_NE(h.log().requests[1].body.find(R"("id":"new-7")"), std::string::npos);
}

TEST(PlugChatRequests, UnmappedWithoutCreateIsPermanentAndSendsNothing) {
  Harness h;
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("unmapped"), std::string::npos) << r->message;
  EXPECT_NE(r->message.find("external_ids.plugchat_br"), std::string::npos) << r->message;
  EXPECT_TRUE(h.log().requests.empty());
}

TEST(PlugChatRequests, DeletedAndUnknownSendsNothing) {
  Harness h(/*create_missing=*/true);
  CanonicalOperator op = jane();
  op.deleted = true;
  auto r = h.push(op);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::ok);
  EXPECT_TRUE(h.log().requests.empty());
}

TEST(PlugChatRequests, CreateAnswerWithoutIdIsPermanent) {
  Harness h(/*create_missing=*/true);
  h.log().script.push_back(test::answer(200, R"({"success":true})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
}

TEST(PlugChatRequests, Unauthorized401IsPermanentAfterOneRetry) {
  Harness h;
  h.vendor_id = "op-42";
  const char* body = R"({"success":false,"message":"Token de integrador inválido"})";
  h.log().script.push_back(test::answer(401, body));
  h.log().script.push_back(test::answer(401, body));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->status, 401u);
  EXPECT_EQ(r->message, "Plug Chat 401: Token de integrador inválido");
  EXPECT_EQ(h.log().requests.size(), 2u);  // static token: the one re-send, nothing more
  ASSERT_TRUE(r->request);
  EXPECT_EQ(find_header(r->request->headers, "Authorization").value_or(""), "***");
}

TEST(PlugChatRequests, ClientErrorsArePermanentWithTheVendorsWords) {
  struct Case {
    unsigned status;
    const char* body;
    const char* message;
  };
  const Case cases[] = {
      {400,
       R"({"success":false,"message":"O atributo 'departments' é obrigatório","errors":["O atributo 'departments' é obrigatório","'active' deve ser boolean"]})",
       "Plug Chat 400: O atributo 'departments' é obrigatório; 'active' deve ser boolean"},
      {404, R"({"success":false,"message":"Operador não encontrado"})",
       "Plug Chat 404: Operador não encontrado"},
      {404, "", "Plug Chat 404: not found (unknown account or operator id)"},
      {405, "", "Plug Chat 405: method not allowed"},
      {415, "", "Plug Chat 415: Content-Type must be application/json"},
      {415, R"({"success":false,"message":"Content-Type deve ser application/json"})",
       "Plug Chat 415: Content-Type deve ser application/json"},
      {422, "plain text refusal", "Plug Chat 422: plain text refusal"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    Harness h;
    h.vendor_id = "op-42";
    h.log().script.push_back(test::answer(c.status, c.body));
    auto r = h.push(jane());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, PushOutcome::permanent);
    EXPECT_EQ(r->status, c.status);
    EXPECT_EQ(r->message, c.message);
    EXPECT_FALSE(r->vendor_failure);
  }
}

TEST(PlugChatRequests, SuccessFalseIsPermanent) {
  Harness h;
  h.vendor_id = "op-42";
  h.log().script.push_back(
      test::answer(200, R"({"success":false,"message":"Falhou","accessToken":"x"})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->message, "Plug Chat 200: Falhou");
}

TEST(PlugChatRequests, ServerErrorsAndThrottlingRetry) {
  Harness h;
  h.vendor_id = "op-42";
  h.log().script.push_back(test::answer(503, R"({"success":false,"message":"x"})"));
  auto r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::retry);
  EXPECT_TRUE(r->vendor_failure);

  HttpResult throttled = test::answer(429, R"({"success":false,"message":"Too many requests"})");
  throttled.headers.push_back({"Retry-After", "3"});
  h.log().script.push_back(throttled);
  r = h.push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::retry);
  EXPECT_EQ(r->retry_after, std::chrono::milliseconds(3000));
  EXPECT_TRUE(r->throttle_connector);
}

TEST(PlugChatRequests, EncodesTheAccountInThePath) {
  PlugChatSettings s = settings();
  s.account_id = "a b/c";
  PlugChatConnector c(
      "x", s, std::make_unique<test::RecordingTransport>(std::make_shared<test::RecordingLog>()));
  EXPECT_EQ(c.operators_path(), "/integrator/account/a%20b%2Fc/operators");
}

TEST(PlugChatRequests, DeclaresTheRequiredSet) {
  Harness h;
  EXPECT_EQ(h.connector().required_fields(),
            (std::vector<std::string>{"name", "active", "departments"}));
  EXPECT_EQ(h.connector().type(), "plugchat");
  EXPECT_EQ(h.connector().delete_policy(), DeletePolicy::deactivate);
}

}  // namespace
}  // namespace opsync
