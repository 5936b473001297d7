// The read side of the five connectors (issue 12) without a network: how each vendor's answer
// becomes a VendorRecord in map()'s forms, what in_step forgives, which answers are not_found or
// unsupported, and that every read request is RequestPriority::background.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <memory>
#include <string>

#include "commpeak/commpeak_connector.h"
#include "commpeak/commpeak_mapping.h"
#include "framework/vendor_read.h"
#include "glia/glia_connector.h"
#include "glia/glia_mapping.h"
#include "iadvize/iadvize_connector.h"
#include "iadvize/iadvize_mapping.h"
#include "identitycall/identitycall_connector.h"
#include "identitycall/identitycall_mapping.h"
#include "plugchat/plugchat_connector.h"
#include "plugchat/plugchat_mapping.h"
#include "support/recording_transport.h"

namespace opsync {
namespace {

namespace json = boost::json;

json::value parse(std::string_view text) {
  return json::parse(text);
}

void expect_background(const test::RecordingLog& log, std::string_view skip_target = "") {
  ASSERT_FALSE(log.requests.empty());
  for (const HttpRequest& r : log.requests) {
    if (!skip_target.empty() && r.target == skip_target) continue;
    EXPECT_EQ(r.priority, RequestPriority::background) << r.method << " " << r.target;
  }
}

TEST(VendorRead, SetsAndPhones) {
  EXPECT_EQ(sorted_set(parse(R"(["b","a","b"])").as_array()), parse(R"(["a","b"])"));
  EXPECT_TRUE(same_set(parse(R"(["x","y"])"), parse(R"(["y","x"])")));
  EXPECT_FALSE(same_set(parse(R"(["x"])"), parse(R"(["x","y"])")));
  EXPECT_FALSE(same_set(parse(R"("x")"), parse(R"(["x"])")));
  EXPECT_EQ(e164_form("+1 (555) 123-4567"), "+15551234567");
  EXPECT_EQ(e164_form("+44.20.7946.0000"), "+442079460000");
  EXPECT_EQ(e164_form("call me"), "call me");
  EXPECT_TRUE(iequal_strings(json::value("A@B.com"), json::value("a@b.COM")));
}

TEST(VendorRead, ListRefusalIsUnsupportedOnlyWhenAsked) {
  PushResult refused;
  refused.outcome = PushOutcome::permanent;
  refused.status = 405;
  EXPECT_EQ(failed_read(refused, true).status, ReadResult::Status::unsupported);
  EXPECT_EQ(failed_read(refused, false).status, ReadResult::Status::failed);
  refused.status = 401;
  EXPECT_EQ(failed_read(refused, true).status, ReadResult::Status::failed);
  PushResult down;
  down.outcome = PushOutcome::retry;
  down.vendor_failure = true;
  EXPECT_EQ(failed_read(down, true).status, ReadResult::Status::failed);
}

TEST(GliaRead, AnswerInMapForms) {
  auto record = glia_vendor_record(parse(R"({"id":"g-1","name":"Jane","email":"J@x.com",
      "phone":"+15551234567","phone_extension":null,"enabled":false,"available":true,
      "max_engagement_count":2,"audio_source":"phone","teams":[{"id":"t"}],
      "assignments":[{"site_id":"s2","team_ids":["b","a"]},{"site_id":"s1","team_ids":["c"]},
                     {"site_id":"s2","team_ids":["c"]}]})"));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->vendor_id, "g-1");
  EXPECT_EQ(json::value(record->fields), parse(R"({"name":"Jane","email":"J@x.com",
      "phone":"+15551234567","phone_extension":null,"audio_source":"phone","enabled":false,
      "max_engagement_count":2,"assignments":[{"site_id":"s1","team_ids":["c"]},
      {"site_id":"s2","team_ids":["a","b","c"]}]})"));
  EXPECT_FALSE(glia_vendor_record(parse(R"({"name":"no id"})")));
}

TEST(GliaRead, InStepForgivesCaseAndOrderOnly) {
  GliaSettings s;
  s.base_url = "http://glia.test";
  s.api_key_id = Secret("key-id");
  s.api_key_secret = Secret("key-secret");
  auto log = std::make_shared<test::RecordingLog>();
  GliaConnector c("glia_eu", s, std::make_shared<test::RecordingTransport>(log));
  EXPECT_TRUE(c.in_step("email", json::value("Jane@X.com"), json::value("jane@x.com")));
  EXPECT_FALSE(c.in_step("name", json::value("Jane"), json::value("jane")));
  EXPECT_TRUE(c.in_step("assignments", parse(R"([{"site_id":"s","team_ids":["b","a"]}])"),
                        parse(R"([{"site_id":"s","team_ids":["a","b"]}])")));
  EXPECT_FALSE(c.in_step("assignments", parse(R"([{"site_id":"s","team_ids":["a"]}])"),
                         parse(R"([{"site_id":"s","team_ids":["a","b"]}])")));

  boost::asio::io_context io;
  log->script.push_back(test::answer(201, R"({"token":"tok"})"));
  log->script.push_back(test::answer(
      200, R"({"operators":[{"id":"g-1","name":"A"}],"next_page":"http://x/?page=2"})"));
  ReadResult page = test::run(io, c.list_operators(std::nullopt));
  ASSERT_EQ(page.status, ReadResult::Status::ok) << page.failure.message;
  EXPECT_EQ(page.next_page, "2");
  log->script.push_back(test::answer(200, R"({"operators":[],"next_page":null})"));
  page = test::run(io, c.list_operators("2"));
  EXPECT_FALSE(page.next_page);
  EXPECT_EQ(log->requests.back().target, "/operators?include_disabled=true&page=2");
  log->script.push_back(
      test::answer(404, R"({"error":"Not Found","message":"Operator not found"})"));
  EXPECT_EQ(test::run(io, c.read_operator("g-9")).status, ReadResult::Status::not_found);
  log->script.push_back(test::answer(503, "down"));
  ReadResult failed = test::run(io, c.read_operator("g-9"));
  EXPECT_EQ(failed.status, ReadResult::Status::failed);
  EXPECT_EQ(failed.failure.outcome, PushOutcome::retry);
  expect_background(*log, "/operator_authentication/tokens");
}

TEST(PlugChatRead, ListInMapFormsWithoutTheAccessToken) {
  auto record = plugchat_vendor_record(parse(R"({"id":"p-1","name":"Jane","active":false,
      "departments":["d2","d1"],"accessToken":"secret-jwt","createdAt":"2024-01-01"})"));
  ASSERT_TRUE(record);
  EXPECT_EQ(json::value(record->fields),
            parse(R"({"name":"Jane","active":false,"departments":["d1","d2"]})"));

  PlugChatSettings s;
  s.base_url = "http://plugchat.test";
  s.account_id = "acc";
  s.integrator_token = Secret("integrator-token");
  auto log = std::make_shared<test::RecordingLog>();
  PlugChatConnector c("plugchat_br", s, std::make_shared<test::RecordingTransport>(log));
  EXPECT_TRUE(c.in_step("departments", parse(R"(["d1","d2"])"), parse(R"(["d2","d1"])")));
  boost::asio::io_context io;
  log->script.push_back(test::answer(
      200, R"([{"id":"p-1","name":"A","active":true,"departments":[],"accessToken":"tok-1"}])"));
  ReadResult all = test::run(io, c.list_operators(std::nullopt));
  ASSERT_EQ(all.status, ReadResult::Status::ok);
  EXPECT_FALSE(all.next_page);
  ASSERT_EQ(all.records.size(), 1U);
  EXPECT_EQ(log->requests.back().method, "GET");
  EXPECT_EQ(log->requests.back().target, "/integrator/account/acc/operators");
  log->script.push_back(test::answer(200, R"([{"id":"p-1","name":"A","active":true}])"));
  EXPECT_EQ(test::run(io, c.read_operator("p-2")).status, ReadResult::Status::not_found);
  log->script.push_back(test::answer(500, R"({"success":false,"message":"tok-1 oops"})"));
  ReadResult failed = test::run(io, c.list_operators(std::nullopt));
  EXPECT_EQ(failed.status, ReadResult::Status::failed);
  expect_background(*log);
}

TEST(IdentityCallRead, AnswerInMapForms) {
  auto record = identitycall_vendor_record(parse(R"({"id":12,"name":"Jane",
      "phone_number":"+1 555 123 4567","email":null,"active":true,"created_at":"x"})"));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->vendor_id, "12");
  EXPECT_EQ(json::value(record->fields), parse(R"({"name":"Jane","email":null,
      "phone_number":"+15551234567","active":true})"));
  EXPECT_FALSE(identitycall_vendor_record(parse(R"({"id":"abc"})")));

  IdentityCallSettings s;
  s.base_url = "http://identitycall.test/api/v1/public";
  s.api_key = Secret("idc_0123456789abcdefghijABCDEFGHIJ01");
  auto log = std::make_shared<test::RecordingLog>();
  IdentityCallConnector c("identitycall", s, std::make_shared<test::RecordingTransport>(log));
  boost::asio::io_context io;
  log->script.push_back(test::answer(200, R"({"data":[{"id":1,"name":"A"},{"id":2}]})"));
  ReadResult all = test::run(io, c.list_operators(std::nullopt));
  ASSERT_EQ(all.status, ReadResult::Status::ok);
  EXPECT_EQ(all.records.size(), 2U);
  log->script.push_back(test::answer(200, R"({"data":{"id":1,"name":"A"}})"));
  ReadResult one = test::run(io, c.read_operator("1"));
  ASSERT_EQ(one.status, ReadResult::Status::ok);
  EXPECT_EQ(log->requests.back().target, "/operators/1");
  log->script.push_back(test::answer(404, R"({"error":"Resource not found"})"));
  EXPECT_EQ(test::run(io, c.read_operator("1")).status, ReadResult::Status::not_found);
  log->script.push_back(test::answer(429, R"({"error":"Too many requests"})"));
  log->script.back().headers.push_back({"Retry-After", "7"});
  ReadResult limited = test::run(io, c.list_operators(std::nullopt));
  EXPECT_EQ(limited.status, ReadResult::Status::failed);
  EXPECT_EQ(limited.failure.outcome, PushOutcome::retry);
  EXPECT_EQ(limited.failure.retry_after, std::chrono::seconds(7));
  expect_background(*log);
}

TEST(IAdvizeRead, AnswerInMapForms) {
  auto record = iadvize::vendor_record(parse(R"({"id":"7","first_name":"Jane","name":"Doe",
      "email":"j@x.com","external_id":"emp-1","roles":["manager","expert"],"chat_enabled":1,
      "call_enabled":"0","video_enabled":false,"chat_max_number":"3","language_list":["fr","en"],
      "language_admin":"fr","group_id":null,"sso_key":"secret","skill_list":[]})"));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->vendor_id, "7");
  EXPECT_EQ(json::value(record->fields), parse(R"({"external_id":"emp-1","first_name":"Jane",
      "name":"Doe","email":"j@x.com","language_admin":"fr","roles":["expert","manager"],
      "language_list":["en","fr"],"chat_enabled":true,"call_enabled":false,"video_enabled":false,
      "chat_max_number":3,"group_id":null})"));

  IAdvizeSettings s;
  s.base_url = "http://iadvize.test/api/2";
  s.api_key = Secret("rest-key");
  auto log = std::make_shared<test::RecordingLog>();
  IAdvizeConnector c("iadvize_fr", s, std::make_shared<test::RecordingTransport>(log));
  EXPECT_TRUE(c.in_step("roles", parse(R"(["manager"])"), parse(R"(["manager"])")));
  EXPECT_FALSE(c.in_step("roles", parse(R"(["expert","manager"])"), parse(R"(["manager"])")));
  EXPECT_TRUE(c.in_step("language_list", parse(R"(["en","fr"])"), parse(R"(["fr","en"])")));
  boost::asio::io_context io;
  log->script.push_back(test::answer(
      200, R"({"meta":{"status":"success","page":1,"limit":100,"total":101},"data":[{"id":1}]})"));
  ReadResult page = test::run(io, c.list_operators(std::nullopt));
  ASSERT_EQ(page.status, ReadResult::Status::ok) << page.failure.message;
  EXPECT_EQ(page.next_page, "2");
  EXPECT_EQ(log->requests.back().target, "/operator?page=1&limit=100");
  log->script.push_back(test::answer(
      200, R"({"meta":{"status":"success","page":2,"limit":100,"total":101},"data":[{"id":2}]})"));
  EXPECT_FALSE(test::run(io, c.list_operators("2")).next_page);
  log->script.push_back(test::answer(404, R"({"meta":{"status":"fail","message":"Not found"}})"));
  EXPECT_EQ(test::run(io, c.read_operator("5")).status, ReadResult::Status::not_found);
  expect_background(*log);
}

TEST(CommPeakRead, StringsBackToMapForms) {
  auto record = commpeak_vendor_record(parse(R"({"id":"5","username":"u5","email":"j@x.com",
      "first_name":"Jane","last_name":"Doe","is_active":"1","use_webrtc":"0","timezone_id":"42",
      "default_language":"pt_BR","max_concurrent_sessions":"3","sip_uri":"","is_deleted":"0",
      "twofa_type":"default"})"));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->vendor_id, "5");
  EXPECT_EQ(json::value(record->fields), parse(R"({"first_name":"Jane","last_name":"Doe",
      "email":"j@x.com","sip_uri":"","default_language":"pt_BR","max_concurrent_sessions":"3",
      "is_active":1,"use_webrtc":0,"timezone_id":42})"));
  // Numbers where CommPeak answers numbers: the same forms.
  auto numeric = commpeak_vendor_record(
      parse(R"({"id":5,"is_active":0,"timezone_id":7,"max_concurrent_sessions":2})"));
  ASSERT_TRUE(numeric);
  EXPECT_EQ(json::value(numeric->fields),
            parse(R"({"max_concurrent_sessions":"2","is_active":0,"timezone_id":7})"));
  EXPECT_FALSE(commpeak_vendor_record(parse(R"({"id":"0"})")));

  CommPeakSettings s;
  s.base_url = "http://commpeak.test";
  s.username = "api-user";
  s.password = Secret("api-password");
  auto log = std::make_shared<test::RecordingLog>();
  CommPeakConnector c("commpeak_eu", s, std::make_shared<test::RecordingTransport>(log));
  boost::asio::io_context io;
  log->script.push_back(test::answer(405, R"({"status":"error","message":"Method not allowed"})"));
  EXPECT_EQ(test::run(io, c.list_operators(std::nullopt)).status, ReadResult::Status::unsupported);
  log->script.push_back(test::answer(404, R"({"status":"error","message":"Not found"})"));
  EXPECT_EQ(test::run(io, c.list_operators(std::nullopt)).status, ReadResult::Status::unsupported);
  log->script.push_back(test::answer(200, R"({"users":[{"id":"3"},{"id":"x"}]})"));
  ReadResult all = test::run(io, c.list_operators(std::nullopt));
  ASSERT_EQ(all.status, ReadResult::Status::ok);
  EXPECT_EQ(all.records.size(), 1U);
  log->script.push_back(test::answer(404, R"({"status":"error","message":"User not found"})"));
  EXPECT_EQ(test::run(io, c.read_operator("3")).status, ReadResult::Status::not_found);
  EXPECT_EQ(log->requests.back().target, "/api/users/3");
  expect_background(*log);
}

}  // namespace
}  // namespace opsync
