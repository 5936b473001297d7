// The CommPeak connector against the in-process CommPeak simulator: lookup by e-mail, update
// (first push, one field, clear, deactivation, delete) and the simulator's refusals (404, 401)
// coming back permanent with its own words. Asserted on the simulator's records and request log.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "commpeak/commpeak_type.h"
#include "framework/diff.h"
#include "read_back.h"
#include "support/connector_sim_fixture.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

class CommPeakSimTest : public test::ConnectorSimFixture {
 protected:
  void make_connector(const std::string& password = "opsync-commpeak-password") {
    ConnectorSimFixture::make_connector(
        commpeak_connector_type(), "commpeak_eu",
        "type: commpeak\nbase_url: " + sims_->base_url(Vendor::commpeak) +
            "\nusername: opsync\npassword: " + password + "\ntime_zones: {Europe/Lisbon: 42}\n");
  }

  json::object record(const std::string& id) const {
    for (const auto& r : sims_->records(Vendor::commpeak)) {
      if (r.as_object().at("id") == std::stoll(id)) return r.as_object();
    }
    ADD_FAILURE() << "no CommPeak record " << id;
    return {};
  }

  static CanonicalOperator jane() {
    CanonicalOperator op;
    op.id = "emp-1";
    op.attributes = {{"given_name", "Jane"},
                     {"family_name", "Doe"},
                     {"email", "jane@example.com"},
                     {"active", true},
                     {"sip_uri", "sip:jane@pbx.example.com"},
                     {"timezone", "Europe/Lisbon"},
                     {"locale", "pt-BR"},
                     {"max_concurrent_chats", 3},
                     {"channels", {{"voice", true}}}};
    return op;
  }
};

TEST_F(CommPeakSimTest, LookUpThenUpdateClearDeactivateDelete) {
  ASSERT_TRUE(
      sims_->seed_record(Vendor::commpeak, {{"id", 3}, {"email", "other@example.com"}}).ok());
  ASSERT_TRUE(
      sims_->seed_record(Vendor::commpeak, {{"id", 5}, {"email", "Jane@Example.com"}}).ok());
  make_connector();
  CanonicalOperator op = jane();

  auto r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(r->vendor_id, "5");
  json::object rec = record("5");
  EXPECT_EQ(rec.at("first_name"), "Jane");
  EXPECT_EQ(rec.at("last_name"), "Doe");
  EXPECT_EQ(rec.at("email"), "jane@example.com");
  EXPECT_EQ(rec.at("is_active"), 1);
  EXPECT_EQ(rec.at("sip_uri"), "sip:jane@pbx.example.com");
  EXPECT_EQ(rec.at("timezone_id"), 42);
  EXPECT_EQ(rec.at("default_language"), "pt_BR");
  EXPECT_EQ(rec.at("max_concurrent_sessions"), "3");
  EXPECT_EQ(rec.at("use_webrtc"), 1);

  op.attributes["family_name"] = "Smith";
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("5").at("last_name"), "Smith");

  op.attributes.erase("sip_uri");
  op.attributes.erase("timezone");
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("5").at("sip_uri"), "");
  EXPECT_EQ(record("5").at("timezone_id"), 42);  // CommPeak cannot clear it: kept

  op.attributes["active"] = false;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("5").at("is_active"), 0);

  op.attributes["active"] = true;
  ASSERT_TRUE(push(op));
  EXPECT_EQ(record("5").at("is_active"), 1);
  op.deleted = true;
  r = push(op);
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  EXPECT_EQ(record("5").at("is_active"), 0);

  const json::array log = sims_->requests(Vendor::commpeak);
  ASSERT_EQ(log.size(), 7u);
  EXPECT_EQ(log[0].as_object().at("method"), "GET");
  EXPECT_EQ(log[0].as_object().at("target"), "/api/users");
  for (std::size_t i = 1; i < log.size(); ++i) {
    const json::object& e = log[i].as_object();
    EXPECT_EQ(e.at("method"), "PUT");
    EXPECT_EQ(e.at("target"), "/api/users/5");
    EXPECT_EQ(e.at("status"), 200);
    EXPECT_EQ(e.at("headers").as_object().at("Authorization"), "***");
  }
  EXPECT_EQ(log[2].as_object().at("json"), (json::object{{"last_name", "Smith"}}));
  EXPECT_EQ(log[3].as_object().at("json"), (json::object{{"sip_uri", ""}}));
}

TEST_F(CommPeakSimTest, UnknownEmailIsUnmapped) {
  ASSERT_TRUE(
      sims_->seed_record(Vendor::commpeak, {{"id", 3}, {"email", "other@example.com"}}).ok());
  make_connector();
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_NE(r->message.find("external_ids.commpeak_eu"), std::string::npos) << r->message;
  EXPECT_EQ(sims_->requests(Vendor::commpeak).size(), 1u);
}

TEST_F(CommPeakSimTest, UnknownUserIsPermanentWithTheSimulatorsMessage) {
  make_connector();
  ids_[jane().id] = "999";
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(r->message, "CommPeak 404: User not found");
}

TEST_F(CommPeakSimTest, WrongPasswordIsPermanentAfterOneRetry) {
  ASSERT_TRUE(sims_->seed_record(Vendor::commpeak, {{"id", 5}}).ok());
  make_connector("wrong");
  ids_[jane().id] = "5";
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::permanent);
  EXPECT_EQ(r->status, 401u);
  EXPECT_EQ(r->message, "CommPeak 401: Unauthorized");
  EXPECT_EQ(sims_->requests(Vendor::commpeak).size(), 2u);
}

TEST_F(CommPeakSimTest, InjectedThrottlingRetries) {
  ASSERT_TRUE(sims_->seed_record(Vendor::commpeak, {{"id", 5}}).ok());
  make_connector();
  ids_[jane().id] = "5";
  sims_->set_faults(Vendor::commpeak, {.rate_429 = 1.0, .retry_after_s = 2});
  auto r = push(jane());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, PushOutcome::retry);
  EXPECT_EQ(r->retry_after, std::chrono::milliseconds(2000));
}

// The read side (issue 12): CommPeak answers every value as a string; the record holds map()'s
// forms (numbers for flags and the zone, a string for max_concurrent_sessions).
TEST_F(CommPeakSimTest, ReadBackIsInStepAndShowsEditsMadeAtCommPeak) {
  ASSERT_TRUE(
      sims_->seed_record(Vendor::commpeak, {{"id", 5}, {"email", "jane@example.com"}}).ok());
  make_connector();
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const json::object desired = connector_->map(op).fields;

  int pages = 0;
  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_, &pages);
  EXPECT_EQ(pages, 1);
  const VendorRecord* found = test::find_record(listed, "5");
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, *found).empty()) << test::describe(*found);
  EXPECT_EQ(found->fields.at("timezone_id"), 42);
  EXPECT_EQ(found->fields.at("is_active"), 1);
  ReadResult one = test::read_one(io_, *connector_, "5");
  ASSERT_EQ(one.status, ReadResult::Status::ok) << one.failure.message;
  EXPECT_EQ(one.records.at(0).fields, found->fields);

  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::commpeak, "5",
                                {{"email", "JANE@example.com"},
                                 {"timezone_id", 7},
                                 {"is_active", 0},
                                 {"max_concurrent_sessions", "9"}})
                  .ok());
  one = test::read_one(io_, *connector_, "5");
  EXPECT_EQ(test::drifted_fields(*connector_, desired, one.records.at(0)),
            (std::vector<std::string>{"is_active", "max_concurrent_sessions", "timezone_id"}));
  op.deleted = true;  // deactivated: is_active 0 is in step
  EXPECT_EQ(test::drifted_fields(*connector_, connector_->map(op).fields, one.records.at(0)),
            (std::vector<std::string>{"max_concurrent_sessions", "timezone_id"}));

  ASSERT_TRUE(sims_->delete_record(Vendor::commpeak, "5"));
  EXPECT_EQ(test::read_one(io_, *connector_, "5").status, ReadResult::Status::not_found);
  EXPECT_EQ(test::read_one(io_, *connector_, "777").status, ReadResult::Status::not_found);
}

class CommPeakWithoutListTest : public CommPeakSimTest {
 protected:
  vendorsim::Options sim_options() override {
    vendorsim::Options options;
    options.commpeak.list_users = false;
    return options;
  }
};

// `GET /api/users` is unconfirmed: a tenant that refuses it makes the list unsupported, and the
// pass reads one id at a time, which still works.
TEST_F(CommPeakWithoutListTest, RefusedListIsUnsupportedAndReadsStillWork) {
  ASSERT_TRUE(sims_->seed_record(Vendor::commpeak, {{"id", 5}, {"first_name", "Jane"}}).ok());
  make_connector();
  ReadResult listed = test::list_page(io_, *connector_);
  EXPECT_EQ(listed.status, ReadResult::Status::unsupported) << listed.failure.message;
  ReadResult one = test::read_one(io_, *connector_, "5");
  ASSERT_EQ(one.status, ReadResult::Status::ok) << one.failure.message;
  EXPECT_EQ(one.records.at(0).fields.at("first_name"), "Jane");
}

TEST_F(CommPeakSimTest, ListWithWrongCredentialsFailsAndIsNotUnsupported) {
  make_connector("wrong-password");
  ReadResult listed = test::list_page(io_, *connector_);
  EXPECT_EQ(listed.status, ReadResult::Status::failed);
  EXPECT_EQ(listed.failure.status, 401U);
}

}  // namespace
}  // namespace opsync
