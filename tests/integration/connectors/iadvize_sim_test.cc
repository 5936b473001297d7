// The iAdvize connector against the in-process iAdvize simulator: first push (lookup by e-mail,
// create), one-field change, clear, deactivation, delete, and the simulator's refusals and faults
// coming back as permanent (with its own words) or retry. Asserted on the simulator's records
// and request log.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "framework/diff.h"
#include "iadvize/iadvize_type.h"
#include "read_back.h"
#include "support/connector_sim_fixture.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

class IAdvizeSimTest : public test::ConnectorSimFixture {
 protected:
  void make_connector(const std::string& extra = "",
                      const std::string& key = "opsync-iadvize-rest-key") {
    ConnectorSimFixture::make_connector(
        iadvize_connector_type(), "iadvize_fr",
        "type: iadvize\nbase_url: " + sims_->base_url(Vendor::iadvize) + "/api/2\napi_key: " + key +
            "\nteams: {support: '101', sales: '102'}\n" + extra);
  }

  json::object record(std::int64_t id) const {
    for (const auto& r : sims_->records(Vendor::iadvize)) {
      if (r.as_object().at("id") == id) return r.as_object();
    }
    ADD_FAILURE() << "no iAdvize record " << id;
    return {};
  }

  json::object last_request() const {
    json::array log = sims_->requests(Vendor::iadvize);
    return log.empty() ? json::object{} : log.back().as_object();
  }

  static CanonicalOperator jane() {
    CanonicalOperator op;
    op.id = "emp-1";
    op.attributes = {{"given_name", "Jane"},
                     {"family_name", "Doe"},
                     {"email", "jane@example.com"},
                     {"active", true},
                     {"role", "manager"},
                     {"teams", {"support"}},
                     {"languages", {"en", "fr"}},
                     {"locale", "fr-FR"},
                     {"max_concurrent_chats", 3},
                     {"channels", {{"chat", true}, {"voice", true}, {"video", false}}}};
    return op;
  }
};

TEST_F(IAdvizeSimTest, LookupUpdateClearDeactivate) {
  auto seeded = sims_->seed_record(
      Vendor::iadvize,
      {{"id", 7}, {"email", "Jane@Example.com"}, {"name", "Old"}, {"chat_max_number", 1}});
  ASSERT_TRUE(seeded.ok());
  make_connector();
  CanonicalOperator op = jane();

  // First push: found by e-mail (case-insensitive), then the whole record.
  auto r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(r->vendor_id, "7");
  json::object rec = record(7);
  EXPECT_EQ(rec.at("first_name"), "Jane");
  EXPECT_EQ(rec.at("name"), "Doe");
  EXPECT_EQ(rec.at("external_id"), "emp-1");
  EXPECT_EQ(rec.at("roles"), json::array({"manager"}));
  EXPECT_EQ(rec.at("chat_enabled"), true);
  EXPECT_EQ(rec.at("call_enabled"), true);
  EXPECT_EQ(rec.at("video_enabled"), false);
  EXPECT_EQ(rec.at("chat_max_number"), 3);
  EXPECT_EQ(rec.at("language_list"), json::array({"en", "fr"}));
  EXPECT_EQ(rec.at("language_admin"), "fr");
  EXPECT_EQ(rec.at("group_id"), 101);
  json::array log = sims_->requests(Vendor::iadvize);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].at("method"), "GET");
  EXPECT_EQ(log[0].at("target"), "/api/2/operator?filters%5Bemail%5D=jane%40example.com&limit=100");
  EXPECT_EQ(log[1].at("method"), "PUT");
  EXPECT_EQ(log[1].at("target"), "/api/2/operator/7");
  EXPECT_EQ(log[1].at("headers").at("X-API-Key"), "***");

  // One field.
  op.attributes["max_concurrent_chats"] = 5;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << r->message;
  EXPECT_EQ(record(7).at("chat_max_number"), 5);
  EXPECT_EQ(last_request().at("body"), "chat_max_number=5");

  // Clear: the first name and the languages clear; the group cannot (stays 101).
  op.attributes.erase("given_name");
  op.attributes.erase("languages");
  op.attributes.erase("teams");
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << r->message;
  rec = record(7);
  EXPECT_EQ(rec.at("first_name"), "");
  EXPECT_EQ(rec.at("language_list"), json::array());
  EXPECT_EQ(rec.at("group_id"), 101);
  EXPECT_EQ(last_request().at("body"), "first_name=&language_list=");

  // Deactivation (deleted, default policy): channels off, forced offline, record kept.
  op.deleted = true;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << r->message;
  rec = record(7);
  EXPECT_EQ(rec.at("chat_enabled"), false);
  EXPECT_EQ(rec.at("call_enabled"), false);
  EXPECT_EQ(rec.at("video_enabled"), false);
  EXPECT_EQ(rec.at("live").at("connected"), false);
  EXPECT_EQ(last_request().at("target"), "/api/2/operator/7/live");
  EXPECT_EQ(last_request().at("body"), "connected=0");
}

TEST_F(IAdvizeSimTest, CreateWhenMissingThenDelete) {
  make_connector("create_missing: true\ndelete_policy: delete\n");
  CanonicalOperator op = jane();
  auto r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << r->message;
  ASSERT_TRUE(r->vendor_id.has_value());
  const std::int64_t id = std::stoll(*r->vendor_id);
  json::object rec = record(id);
  EXPECT_EQ(rec.at("email"), "jane@example.com");
  EXPECT_EQ(rec.at("external_id"), "emp-1");
  EXPECT_EQ(rec.at("group_id"), 101);
  EXPECT_EQ(last_request().at("method"), "POST");
  EXPECT_EQ(last_request().at("status"), 201);

  op.deleted = true;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << r->message;
  EXPECT_TRUE(sims_->records(Vendor::iadvize).empty());
  EXPECT_EQ(last_request().at("method"), "DELETE");
}

TEST_F(IAdvizeSimTest, UnmappedWithoutCreateIsPermanent) {
  make_connector();
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("unmapped"), std::string::npos) << r->message;
  EXPECT_TRUE(sims_->records(Vendor::iadvize).empty());
}

TEST_F(IAdvizeSimTest, RefusalsArePermanentWithTheSimulatorsWords) {
  ASSERT_TRUE(sims_->seed_record(Vendor::iadvize, {{"id", 3}, {"email", "a@b.io"}}).ok());
  make_connector();
  // A value the mapping would never produce, to reach the simulator's own rule.
  PushContext ctx;
  ctx.operator_id = "emp-3";
  ctx.vendor_id = "3";
  ctx.changed = {{"language_admin", "it"}};
  ctx.desired = ctx.changed;
  PushResult r = run(ctx);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.message, "language_admin must be de, en, es or fr");

  ctx.vendor_id = "999";
  r = run(ctx);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.message, "Operator not found");

  make_connector("", "wrong-key");
  ctx.vendor_id = "3";
  r = run(ctx);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.message, "Invalid or missing API key (X-API-Key)");
}

TEST_F(IAdvizeSimTest, InjectedFaultsRetry) {
  ASSERT_TRUE(sims_->seed_record(Vendor::iadvize, {{"id", 3}, {"email", "a@b.io"}}).ok());
  make_connector();
  PushContext ctx;
  ctx.operator_id = "emp-3";
  ctx.vendor_id = "3";
  ctx.changed = {{"chat_max_number", 2}};
  ctx.desired = ctx.changed;

  sims_->set_faults(Vendor::iadvize, {.error_rate = 1.0});
  PushResult r = run(ctx);
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_TRUE(r.vendor_failure);
  EXPECT_EQ(r.message, "Injected server error");

  sims_->set_faults(Vendor::iadvize, {.rate_429 = 1.0, .retry_after_s = 3});
  r = run(ctx);
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_EQ(r.retry_after, std::chrono::milliseconds(3000));

  sims_->set_faults(Vendor::iadvize, {});
  r = run(ctx);
  EXPECT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(record(3).at("chat_max_number"), 2);
}

// A create whose answer is lost after iAdvize applied it (issue 12, defect 4): the retry looks
// the operator up (by e-mail) before creating, and updates the one it finds.
TEST_F(IAdvizeSimTest, ALostCreateAnswerIsFoundNotCreatedTwice) {
  make_connector("create_missing: true\n");
  sims_->set_faults(Vendor::iadvize, {.lost_answer_rate = 1.0, .lost_answer_method = "POST"});
  auto r = push(jane());
  ASSERT_TRUE(r && r->outcome == PushOutcome::retry) << (r ? r->message : "");
  ASSERT_EQ(sims_->records(Vendor::iadvize).size(), 1u) << "the create was applied";
  sims_->set_faults(Vendor::iadvize, {});
  r = push(jane());
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(sims_->records(Vendor::iadvize).size(), 1u);
  EXPECT_EQ(sims_->duplicates(Vendor::iadvize), json::array())
      << sims_->duplicates(Vendor::iadvize);
}

// Issue 12: the seed's `PUT /operator/{id}/live` takes `chat[available]=1` as well as `0`. An
// operator deactivated (forced offline) and activated again is made available on the channels
// the push switches back on, not left offline.
TEST_F(IAdvizeSimTest, ReactivationMakesTheOperatorAvailableAgain) {
  ASSERT_TRUE(sims_->seed_record(Vendor::iadvize, {{"id", 7}, {"email", "jane@example.com"}}).ok());
  make_connector();
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  op.attributes["active"] = false;
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_EQ(record(7).at("live").at("connected"), false);
  EXPECT_EQ(last_request().at("body"), "connected=0");

  op.attributes["active"] = true;
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const json::object rec = record(7);
  EXPECT_EQ(rec.at("chat_enabled"), true);
  EXPECT_EQ(rec.at("call_enabled"), true);
  EXPECT_EQ(rec.at("live").at("chat").at("available"), true) << json::serialize(rec.at("live"));
  EXPECT_EQ(rec.at("live").at("call").at("available"), true);
  EXPECT_EQ(rec.at("live").at("video").at("available"), false);  // video stays off
  EXPECT_EQ(last_request().at("target"), "/api/2/operator/7/live");
  EXPECT_EQ(last_request().at("body"), "call%5Bavailable%5D=1&chat%5Bavailable%5D=1");
}

// The read side (issue 12).
TEST_F(IAdvizeSimTest, ReadBackIsInStepAndShowsEditsMadeAtIAdvize) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const std::string id = ids_.at(op.id);
  const json::object desired = connector_->map(op).fields;

  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_);
  const VendorRecord* found = test::find_record(listed, id);
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, *found).empty()) << test::describe(*found);
  ReadResult one = test::read_one(io_, *connector_, id);
  ASSERT_EQ(one.status, ReadResult::Status::ok) << one.failure.message;
  EXPECT_EQ(one.records.at(0).fields, found->fields);

  // Sets in another order and the e-mail's case are in step.
  const std::int64_t number = std::stoll(id);
  ASSERT_TRUE(
      sims_
          ->edit_record(Vendor::iadvize, id,
                        {{"language_list", json::array{"fr", "en"}}, {"email", "JANE@example.com"}})
          .ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, one.records.at(0)).empty())
      << test::describe(one.records.at(0));

  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::iadvize, id,
                                {{"roles", json::array{"expert", "manager"}},
                                 {"chat_max_number", 1},
                                 {"group_id", 102},
                                 {"call_enabled", false}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_EQ(test::drifted_fields(*connector_, desired, one.records.at(0)),
            (std::vector<std::string>{"call_enabled", "chat_max_number", "group_id", "roles"}));
  EXPECT_EQ(record(number).at("group_id"), 102);

  // Deactivated: every channel off compares too.
  op.deleted = true;
  EXPECT_EQ(test::drifted_fields(*connector_, connector_->map(op).fields, one.records.at(0)),
            (std::vector<std::string>{"chat_enabled", "chat_max_number", "group_id", "roles"}));

  ASSERT_TRUE(sims_->delete_record(Vendor::iadvize, id));
  EXPECT_EQ(test::read_one(io_, *connector_, id).status, ReadResult::Status::not_found);
  EXPECT_EQ(test::read_one(io_, *connector_, "424242").status, ReadResult::Status::not_found);
}

TEST_F(IAdvizeSimTest, ListReadsEveryPageOfAHundred) {
  make_connector();
  for (int i = 0; i < 230; ++i) {
    ASSERT_TRUE(
        sims_->seed_record(Vendor::iadvize, {{"email", "op" + std::to_string(i) + "@x.com"}}).ok());
  }
  int pages = 0;
  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_, &pages);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed.size(), 230U);
  for (const auto& entry : sims_->requests(Vendor::iadvize)) {
    EXPECT_NE(std::string(entry.at("target").as_string()).find("limit=100"), std::string::npos);
  }
}

}  // namespace
}  // namespace opsync
