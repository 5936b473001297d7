// Golden requests of the iAdvize connector against a scripted fake transport: what iAdvize
// receives for a first push (lookup, create), a one-field change, a clear, a deactivation and a
// delete; and how its answers are classified.
#include "iadvize/iadvize_connector.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <deque>

#include "common/redact.h"
#include "framework/diff.h"
#include "golden_file.h"

namespace opsync {
namespace {

using namespace std::chrono_literals;

class ScriptedTransport final : public HttpTransport {
 public:
  struct Shared {
    std::vector<HttpRequest> requests;  // redacted
    std::deque<HttpResult> answers;
  };
  explicit ScriptedTransport(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  boost::asio::awaitable<HttpResult> request(HttpRequest request) override {
    shared_->requests.push_back(redact_request(request));
    if (shared_->answers.empty()) co_return HttpResult{.status = 599, .body = "unscripted"};
    HttpResult out = std::move(shared_->answers.front());
    shared_->answers.pop_front();
    co_return out;
  }

 private:
  std::shared_ptr<Shared> shared_;
};

HttpResult answer(unsigned status, std::string body, HttpHeaders headers = {}) {
  HttpResult r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

const std::string kOk = R"({"meta":{"status":"success"},"data":{"id":42}})";

class IAdvizeConnectorTest : public ::testing::Test {
 protected:
  IAdvizeConnector& connector(bool create_missing = false, bool remove = false) {
    IAdvizeSettings settings;
    settings.api_key = Secret("the-rest-key");
    settings.create_missing = create_missing;
    settings.delete_policy = remove ? "delete" : "deactivate";
    settings.teams = {{"support", "101"}};
    connector_ = std::make_unique<IAdvizeConnector>(
        "iadvize", settings, std::make_unique<ScriptedTransport>(shared_),
        [] { return std::chrono::system_clock::time_point{} + 1'800'000'000s; });
    return *connector_;
  }

  static CanonicalOperator op(std::string_view attributes, bool deleted = false) {
    CanonicalOperator out;
    out.id = "emp-00042";
    out.deleted = deleted;
    out.attributes = boost::json::parse(attributes).as_object();
    return out;
  }

  // The context the dispatcher would build: the mapping diffed against `shadow`.
  PushContext context(const CanonicalOperator& record, const boost::json::object& shadow,
                      std::optional<std::string> vendor_id) {
    PushContext ctx;
    ctx.operator_id = record.id;
    ctx.vendor_id = std::move(vendor_id);
    ctx.deleted = record.deleted;
    if (record.deleted && connector_->delete_policy() == DeletePolicy::remove) return ctx;
    MapResult mapped = connector_->map(record);
    EXPECT_TRUE(mapped.ok()) << mapped.error;
    ctx.desired = mapped.fields;
    ctx.changed = diff_fields(ctx.desired, shadow, connector_->clear_style());
    return ctx;
  }

  PushResult push(PushContext ctx) {
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, connector_->push(std::move(ctx)), boost::asio::use_future);
    io.run();
    return f.get();
  }

  boost::json::value recorded() const {
    boost::json::array out;
    for (const auto& r : shared_->requests) {
      boost::json::object headers;
      for (const auto& h : r.headers) headers[h.name] = h.value;
      out.push_back({{"method", r.method},
                     {"target", r.target},
                     {"headers", std::move(headers)},
                     {"body", r.body}});
    }
    return out;
  }

  std::shared_ptr<ScriptedTransport::Shared> shared_ =
      std::make_shared<ScriptedTransport::Shared>();
  std::unique_ptr<IAdvizeConnector> connector_;
};

constexpr std::string_view kJane = R"({
  "given_name": "Jane", "family_name": "Doe", "email": "jane.doe@example.com", "active": true,
  "role": "operator", "teams": ["support"], "languages": ["en", "fr"], "locale": "fr-FR",
  "max_concurrent_chats": 3, "channels": {"chat": true, "voice": true, "video": false}})";

boost::json::object mapped_jane(IAdvizeConnector& c) {
  CanonicalOperator o;
  o.id = "emp-00042";
  o.attributes = boost::json::parse(kJane).as_object();
  return c.map(o).fields;
}

TEST_F(IAdvizeConnectorTest, FirstPushLooksUpByEmailThenUpdates) {
  connector();
  shared_->answers = {answer(200, R"({"meta":{"status":"success","page":1,"limit":100,"total":1},
                       "data":[{"id":42,"email":"jane.doe@example.com","external_id":null}]})"),
                      answer(200, kOk)};
  PushResult r = push(context(op(kJane), {}, std::nullopt));
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "42");
  test::expect_golden("requests/first_push_lookup.json", recorded());
}

TEST_F(IAdvizeConnectorTest, FirstPushCreatesWhenAllowed) {
  connector(/*create_missing=*/true);
  shared_->answers = {answer(200, R"({"meta":{"status":"success","total":0},"data":[]})"),
                      answer(201, R"({"meta":{"status":"success"},"data":{"id":77}})")};
  PushResult r = push(context(op(kJane), {}, std::nullopt));
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "77");
  test::expect_golden("requests/first_push_create.json", recorded());
}

TEST_F(IAdvizeConnectorTest, UnmappedWithoutCreateIsPermanent) {
  connector();
  shared_->answers = {answer(200, R"({"meta":{"status":"success","total":0},"data":[]})")};
  PushResult r = push(context(op(kJane), {}, std::nullopt));
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.message,
            "unmapped: operator emp-00042 has no iAdvize id (no iAdvize operator has email "
            "'jane.doe@example.com') and connectors.iadvize.create_missing is false");
  EXPECT_EQ(shared_->requests.size(), 1u);
}

TEST_F(IAdvizeConnectorTest, SeveralOperatorsWithTheEmailPreferOurExternalId) {
  connector();
  shared_->answers = {
      answer(200, R"({"meta":{"status":"success"},"data":[{"id":5,"external_id":"x"},
                                                        {"id":6,"external_id":"emp-00042"}]})"),
      answer(200, kOk)};
  EXPECT_EQ(push(context(op(kJane), {}, std::nullopt)).vendor_id, "6");
}

TEST_F(IAdvizeConnectorTest, SeveralOperatorsWithTheEmailIsAmbiguous) {
  connector();
  shared_->answers = {answer(200, R"({"meta":{"status":"success"},"data":[{"id":5},{"id":6}]})")};
  PushResult r = push(context(op(kJane), {}, std::nullopt));
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("ambiguous: iAdvize operators 5, 6"), std::string::npos) << r.message;
}

TEST_F(IAdvizeConnectorTest, OneFieldChange) {
  auto& c = connector();
  std::string changed(kJane);
  changed.replace(changed.find("\"max_concurrent_chats\": 3"), 25, "\"max_concurrent_chats\": 5");
  shared_->answers = {answer(200, kOk)};
  PushResult r = push(context(op(changed), mapped_jane(c), "42"));
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_FALSE(r.vendor_id.has_value());
  test::expect_golden("requests/one_field_change.json", recorded());
}

TEST_F(IAdvizeConnectorTest, Clear) {
  auto& c = connector();
  // given_name, languages and teams removed: names and lists clear, group_id cannot.
  shared_->answers = {answer(200, kOk)};
  PushResult r = push(context(op(R"({
    "family_name": "Doe", "email": "jane.doe@example.com", "active": true, "role": "operator",
    "locale": "fr-FR", "max_concurrent_chats": 3,
    "channels": {"chat": true, "voice": true, "video": false}})"),
                              mapped_jane(c), "42"));
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  test::expect_golden("requests/clear.json", recorded());
}

TEST_F(IAdvizeConnectorTest, DeactivationSwitchesChannelsOffAndForcesOffline) {
  auto& c = connector();
  shared_->answers = {
      answer(200, kOk),
      answer(200, R"({"meta":{"status":"success","message":"Operator is now disconnected."}})")};
  PushResult r = push(context(op(kJane, /*deleted=*/true), mapped_jane(c), "42"));
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  test::expect_golden("requests/deactivation.json", recorded());
}

TEST_F(IAdvizeConnectorTest, InactiveOperatorAlsoGoesOffline) {
  auto& c = connector();
  std::string inactive(kJane);
  inactive.replace(inactive.find("\"active\": true"), 14, "\"active\": false");
  shared_->answers = {answer(200, kOk), answer(200, R"({"meta":{"status":"success"}})")};
  EXPECT_EQ(push(context(op(inactive), mapped_jane(c), "42")).outcome, PushOutcome::ok);
  ASSERT_EQ(shared_->requests.size(), 2u);
  EXPECT_EQ(shared_->requests[1].target, "/operator/42/live");
}

TEST_F(IAdvizeConnectorTest, Delete) {
  connector(false, /*remove=*/true);
  shared_->answers = {answer(200, R"({"meta":{"status":"success"}})")};
  PushResult r = push(context(op(kJane, true), {}, "42"));
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  test::expect_golden("requests/delete.json", recorded());
}

TEST_F(IAdvizeConnectorTest, DeleteOfAnOperatorAlreadyGoneIsDone) {
  connector(false, true);
  shared_->answers = {answer(404, R"({"meta":{"status":"fail","message":"Operator not found"}})")};
  EXPECT_EQ(push(context(op(kJane, true), {}, "42")).outcome, PushOutcome::ok);
}

TEST_F(IAdvizeConnectorTest, DeleteWithoutIdLooksUpByExternalId) {
  connector(false, true);
  shared_->answers = {
      answer(200, R"({"meta":{"status":"success"},"data":[{"id":9,"external_id":"emp-00042"}]})"),
      answer(200, R"({"meta":{"status":"success"}})")};
  PushResult r = push(context(op(kJane, true), {}, std::nullopt));
  EXPECT_EQ(r.outcome, PushOutcome::ok);
  EXPECT_EQ(r.vendor_id, "9");
  ASSERT_EQ(shared_->requests.size(), 2u);
  EXPECT_EQ(shared_->requests[0].target, "/operator?filters%5Bexternal_id%5D=emp-00042&limit=100");
  EXPECT_EQ(shared_->requests[1].target, "/operator/9");
}

TEST_F(IAdvizeConnectorTest, FailEnvelopeIsPermanentWithIAdvizeMessage) {
  auto& c = connector();
  shared_->answers = {
      answer(400, R"({"meta":{"status":"fail","message":"email must be a valid email"}})")};
  PushResult r = push(context(op(kJane), {}, "42"));
  (void)c;
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.message, "email must be a valid email");
  EXPECT_FALSE(r.vendor_failure);
}

TEST_F(IAdvizeConnectorTest, FailureInsideA200EnvelopeIsAFailure) {
  connector();
  shared_->answers = {answer(200, R"({"meta":{"status":"fail","message":"Group not found"}})")};
  PushResult r = push(context(op(kJane), {}, "42"));
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.message, "Group not found");

  shared_->answers = {answer(200, R"({"meta":{"status":"error","message":"Internal error"}})")};
  r = push(context(op(kJane), {}, "42"));
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.vendor_failure);
  EXPECT_EQ(r.message, "Internal error");
}

TEST_F(IAdvizeConnectorTest, ServerErrorsAndThrottlingRetry) {
  connector();
  shared_->answers = {
      answer(503, R"({"meta":{"status":"error","message":"Injected server error"}})")};
  PushResult r = push(context(op(kJane), {}, "42"));
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.vendor_failure);
  EXPECT_EQ(r.message, "Injected server error");

  shared_->answers = {answer(429, R"({"meta":{"status":"fail","message":"Too many requests"}})",
                             {{"Retry-After", "2"}})};
  r = push(context(op(kJane), {}, "42"));
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(2000));
  EXPECT_TRUE(r.throttle_connector);
  EXPECT_FALSE(r.vendor_failure);
}

TEST_F(IAdvizeConnectorTest, NetworkErrorsRetry) {
  connector();
  HttpResult reset;
  reset.error = boost::asio::error::connection_reset;
  shared_->answers = {reset};
  PushResult r = push(context(op(kJane), {}, "42"));
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.vendor_failure);
}

TEST_F(IAdvizeConnectorTest, TheApiKeyIsSentAndNeverInTheResultUnredacted) {
  connector();
  shared_->answers = {answer(200, kOk)};
  PushResult r = push(context(op(kJane), {}, "42"));
  ASSERT_TRUE(r.request.has_value());
  EXPECT_EQ(find_header(r.request->headers, "X-API-Key"), "the-rest-key");  // dispatcher redacts
  EXPECT_EQ(find_header(redact_request(*r.request).headers, "X-API-Key"), "***");
}

}  // namespace
}  // namespace opsync
