// The Plug Chat connector against the in-process Plug Chat simulator: update (first push, one
// field, clear, deactivation, delete), create with create_missing, and the simulator's refusals
// (404, 401) coming back permanent with its own words. Asserted on the simulator's records and
// request log.
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
#include "plugchat/plugchat_type.h"
#include "read_back.h"
#include "support/connector_sim_fixture.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

class PlugChatSimTest : public test::ConnectorSimFixture {
 protected:
  void make_connector(const std::string& extra = "",
                      const std::string& token = "opsync-plugchat-integrator-token") {
    ConnectorSimFixture::make_connector(
        plugchat_connector_type(), "plugchat_br",
        "type: plugchat\nbase_url: " + sims_->base_url(Vendor::plugchat) +
            "\naccount_id: opsync-account\nintegrator_token: " + token +
            "\nteams: {support: dep-support, sales: dep-sales}\n" + extra);
  }

  json::object record(const std::string& id) const {
    for (const auto& r : sims_->records(Vendor::plugchat)) {
      if (r.as_object().at("id").as_string() == id) return r.as_object();
    }
    ADD_FAILURE() << "no Plug Chat record " << id;
    return {};
  }

  static CanonicalOperator jane() {
    CanonicalOperator op;
    op.id = "emp-1";
    op.attributes = {{"given_name", "Jane"}, {"family_name", "Doe"}, {"active", true},
                     {"role", "admin"},      {"teams", {"support"}}, {"email", "jane@example.com"}};
    return op;
  }
};

TEST_F(PlugChatSimTest, UpdateClearDeactivateDelete) {
  ASSERT_TRUE(sims_
                  ->seed_record(Vendor::plugchat,
                                {{"id", "op-1"}, {"name", "Old name"}, {"departments", {"x"}}})
                  .ok());
  make_connector();
  ids_[jane().id] = "op-1";
  CanonicalOperator op = jane();

  auto r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  json::object rec = record("op-1");
  EXPECT_EQ(rec.at("name"), "Jane Doe");
  EXPECT_EQ(rec.at("active"), true);
  EXPECT_EQ(rec.at("departments"), json::array({"dep-support"}));
  EXPECT_EQ(rec.at("isAdmin"), true);
  // The accessToken the simulator answered with is nowhere in the result.
  const std::string token(rec.at("accessToken").as_string());
  EXPECT_EQ(r->response_body.find(token), std::string::npos);
  EXPECT_EQ(r->message.find(token), std::string::npos);

  op.attributes["display_name"] = "Jane D.";
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("op-1").at("name"), "Jane D.");

  op.attributes.erase("teams");
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("op-1").at("departments"), json::array());

  op.attributes["active"] = false;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("op-1").at("active"), false);

  op.attributes["active"] = true;
  ASSERT_TRUE(push(op));
  EXPECT_EQ(record("op-1").at("active"), true);
  op.deleted = true;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("op-1").at("active"), false);

  // Every call: PUT on the account's collection, JSON, bearer token, the full required set.
  const json::array log = sims_->requests(Vendor::plugchat);
  ASSERT_EQ(log.size(), 6u);
  for (const auto& entry : log) {
    const json::object& e = entry.as_object();
    EXPECT_EQ(e.at("method"), "PUT");
    EXPECT_EQ(e.at("target"), "/integrator/account/opsync-account/operators");
    EXPECT_EQ(e.at("status"), 200);
    EXPECT_EQ(e.at("headers").as_object().at("Content-Type"), "application/json");
    const json::object& body = e.at("json").as_object();
    EXPECT_EQ(body.at("id"), "op-1");
    for (const char* key : {"name", "active", "departments"}) {
      EXPECT_TRUE(body.contains(key)) << key << " in " << json::serialize(body);
    }
  }
  EXPECT_FALSE(log[1].as_object().at("json").as_object().contains("isAdmin"))
      << json::serialize(log);
}

TEST_F(PlugChatSimTest, CreatesWhenAllowedAndLearnsTheId) {
  make_connector("create_missing: true\n");
  auto r = push(jane());
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  ASSERT_TRUE(r->vendor_id);
  json::object rec = record(*r->vendor_id);
  EXPECT_EQ(rec.at("name"), "Jane Doe");
  EXPECT_EQ(rec.at("departments"), json::array({"dep-support"}));
  EXPECT_EQ(r->response_body.find(std::string(rec.at("accessToken").as_string())),
            std::string::npos);

  CanonicalOperator op = jane();
  op.attributes["display_name"] = "Jane D.";
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(sims_->records(Vendor::plugchat).size(), 1u);
  EXPECT_EQ(record(ids_.at(jane().id)).at("name"), "Jane D.");
}

TEST_F(PlugChatSimTest, UnmappedWithoutCreateSendsNothing) {
  make_connector();
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("external_ids.plugchat_br"), std::string::npos);
  EXPECT_TRUE(sims_->requests(Vendor::plugchat).empty());
}

TEST_F(PlugChatSimTest, UnknownOperatorIsPermanentWithTheSimulatorsMessage) {
  make_connector();
  ids_[jane().id] = "does-not-exist";
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(r->message, "Plug Chat 404: Operador não encontrado");
}

TEST_F(PlugChatSimTest, WrongTokenIsPermanentAfterOneRetry) {
  ASSERT_TRUE(sims_->seed_record(Vendor::plugchat, {{"id", "op-1"}}).ok());
  make_connector("", "not-the-token");
  ids_[jane().id] = "op-1";
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->status, 401u);
  EXPECT_EQ(r->message, "Plug Chat 401: Token de integrador inválido");
  EXPECT_EQ(sims_->requests(Vendor::plugchat).size(), 2u);
}

TEST_F(PlugChatSimTest, InjectedServerErrorsRetry) {
  ASSERT_TRUE(sims_->seed_record(Vendor::plugchat, {{"id", "op-1"}}).ok());
  make_connector();
  ids_[jane().id] = "op-1";
  sims_->set_faults(Vendor::plugchat, {.error_rate = 1.0});
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::retry);
  EXPECT_TRUE(r->vendor_failure);
}

// A create whose answer is lost after Plug Chat applied it (issue 12, defect 4): the retry finds
// the operator (by name: the list has no e-mail) instead of creating a second one.
TEST_F(PlugChatSimTest, ALostCreateAnswerIsFoundNotCreatedTwice) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  sims_->set_faults(Vendor::plugchat, {.lost_answer_rate = 1.0});
  auto r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::retry) << (r ? r->message : "");
  ASSERT_EQ(sims_->records(Vendor::plugchat).size(), 1u) << "the create was applied";
  sims_->set_faults(Vendor::plugchat, {});

  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(sims_->records(Vendor::plugchat).size(), 1u);
  EXPECT_EQ(sims_->duplicates(Vendor::plugchat), json::array())
      << sims_->duplicates(Vendor::plugchat);
  const std::string id(sims_->records(Vendor::plugchat).at(0).as_object().at("id").as_string());
  EXPECT_EQ(ids_.at(op.id), id);

  op.attributes["display_name"] = "Jane D.";
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record(id).at("name"), "Jane D.");
  EXPECT_EQ(sims_->records(Vendor::plugchat).size(), 1u);
}

// Names are not unique at Plug Chat: after a create whose answer never came (the request reset,
// nothing applied), a namesake with the same values that another operator is mapped to is not
// adopted (it was, and the two operators then overwrote one record).
TEST_F(PlugChatSimTest, ALostCreateIsNotFoundInANamesakeOfAnotherOperator) {
  make_connector("create_missing: true\n");
  CanonicalOperator first = jane();
  ASSERT_EQ(push(first).value().outcome, PushOutcome::ok);
  CanonicalOperator second = jane();
  second.id = "emp-2";
  second.attributes["email"] = "jane.other@example.com";
  sims_->set_faults(Vendor::plugchat, {.reset_rate = 1.0});
  auto r = push(second);
  ASSERT_TRUE(r && r->outcome == PushOutcome::retry) << (r ? r->message : "");
  sims_->set_faults(Vendor::plugchat, {});
  r = push(second);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(sims_->records(Vendor::plugchat).size(), 2u);
  EXPECT_NE(ids_.at(second.id), ids_.at(first.id));

  // Its own lost create is still found among namesakes.
  CanonicalOperator third = jane();
  third.id = "emp-3";
  third.attributes["email"] = "jane.third@example.com";
  sims_->set_faults(Vendor::plugchat, {.lost_answer_rate = 1.0});
  r = push(third);
  ASSERT_TRUE(r && r->outcome == PushOutcome::retry) << (r ? r->message : "");
  sims_->set_faults(Vendor::plugchat, {});
  r = push(third);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(sims_->records(Vendor::plugchat).size(), 3u);
  EXPECT_NE(ids_.at(third.id), ids_.at(first.id));
  EXPECT_NE(ids_.at(third.id), ids_.at(second.id));
}

// The read side (issue 12). Plug Chat's list has no email and no isAdmin (write-only here), no
// paging, and there is no get-one call: read_operator lists and picks.
TEST_F(PlugChatSimTest, ReadBackIsInStepAndShowsEditsMadeAtPlugChat) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  op.attributes["teams"] = json::array{"support", "sales"};
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const std::string id = ids_.at(op.id);
  const json::object desired = connector_->map(op).fields;
  const std::vector<std::string> not_returned{"isAdmin"};

  int pages = 0;
  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_, &pages);
  EXPECT_EQ(pages, 1);
  const VendorRecord* found = test::find_record(listed, id);
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, *found, not_returned).empty())
      << test::describe(*found);
  EXPECT_FALSE(found->fields.contains("accessToken"));
  ReadResult one = test::read_one(io_, *connector_, id);
  ASSERT_EQ(one.status, ReadResult::Status::ok) << one.failure.message;
  EXPECT_EQ(one.records.at(0).fields, found->fields);

  // Departments are a set: another order is in step; a change of the set is drift.
  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::plugchat, id,
                                {{"departments", json::array{"dep-sales", "dep-support"}}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, one.records.at(0), not_returned).empty());
  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::plugchat, id,
                                {{"departments", json::array{"dep-sales"}}, {"active", false}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_EQ(test::drifted_fields(*connector_, desired, one.records.at(0), not_returned),
            (std::vector<std::string>{"active", "departments"}));

  // Deactivated: active false is in step.
  op.deleted = true;
  EXPECT_EQ(test::drifted_fields(*connector_, connector_->map(op).fields, one.records.at(0),
                                 not_returned),
            (std::vector<std::string>{"departments"}));

  ASSERT_TRUE(sims_->delete_record(Vendor::plugchat, id));
  EXPECT_EQ(test::read_one(io_, *connector_, id).status, ReadResult::Status::not_found);
  EXPECT_EQ(test::read_one(io_, *connector_, "no-such-operator").status,
            ReadResult::Status::not_found);
}

TEST_F(PlugChatSimTest, ReadWithAWrongTokenFails) {
  ASSERT_TRUE(sims_->seed_record(Vendor::plugchat, {{"id", "op-1"}, {"name", "A"}}).ok());
  make_connector("", "wrong-token");
  ReadResult r = test::list_page(io_, *connector_);
  EXPECT_EQ(r.status, ReadResult::Status::failed);
  EXPECT_EQ(r.failure.status, 401U);
  EXPECT_EQ(r.failure.outcome, PushOutcome::permanent);
}

}  // namespace
}  // namespace opsync
