// The IdentityCall connector against the in-process IdentityCall simulator: create, update,
// clear, deactivate, delete, id lookup (one list request per run, operators made out of band
// found, an operator deleted out of band re-created), a rule violation (422) and a missing
// permission (403), asserted on the simulator's records and request log.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <thread>

#include "common/http_client.h"
#include "framework/diff.h"
#include "identitycall/identitycall_connector.h"
#include "identitycall/identitycall_type.h"
#include "read_back.h"
#include "support/connector_sim_fixture.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

constexpr const char* kFullKey = "idc_opsyncsimfullaccess0000000000001";
constexpr const char* kReadOnlyKey = "idc_opsyncsimreadonly000000000000001";

class IdentityCallSimTest : public test::ConnectorSimFixture {
 protected:
  std::string settings_yaml(const std::string& extra, const std::string& key) const {
    return "type: identitycall\nbase_url: " + sims_->base_url(Vendor::identitycall) +
           "/api/v1/public\napi_key: " + key + "\n" + extra;
  }

  void make_connector(const std::string& extra = "", const std::string& key = kFullKey) {
    ConnectorSimFixture::make_connector(identitycall_connector_type(), "identitycall",
                                        settings_yaml(extra, key));
  }

  // As make_connector, with the directory's clock set by the test through connector_now_.
  void make_clocked_connector(const std::string& extra) {
    ConnectorConfig config;
    config.name = "identitycall";
    config.type = "identitycall";
    config.file = "test.yaml";
    config.settings = YAML::Load(settings_yaml(extra, kFullKey));
    IdentityCallSettings settings = load_connector_settings(config, identitycall_settings_schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    connector_ = std::make_unique<IdentityCallConnector>(
        config.name, std::move(settings), std::make_shared<HttpClient>(io_, std::move(options)),
        [this] { return connector_now_; });
  }

  // Requests to `method target` in the simulator's log.
  std::size_t requests_to(std::string_view method, std::string_view target) const {
    std::size_t n = 0;
    for (const auto& entry : sims_->requests(Vendor::identitycall)) {
      const auto& e = entry.as_object();
      if (e.at("method").as_string() == method && e.at("target").as_string() == target) ++n;
    }
    return n;
  }
  std::size_t list_requests() const { return requests_to("GET", "/api/v1/public/operators"); }
  std::size_t creates() const { return requests_to("POST", "/api/v1/public/operators"); }

  static CanonicalOperator person(int n) {
    CanonicalOperator op;
    op.id = "emp-" + std::to_string(n);
    op.attributes = {{"display_name", "Operator " + std::to_string(n)},
                     {"email", "op" + std::to_string(n) + "@example.com"},
                     {"phone", "+1555000" + std::to_string(1000 + n)},
                     {"active", true}};
    return op;
  }

  std::optional<json::object> record(const std::string& id) {
    for (const auto& r : sims_->records(Vendor::identitycall)) {
      if (std::to_string(r.as_object().at("id").to_number<std::int64_t>()) == id)
        return r.as_object();
    }
    return std::nullopt;
  }

  static CanonicalOperator jane() {
    CanonicalOperator op;
    op.id = "emp-42";
    op.attributes = json::parse(R"({"display_name": "Jane Doe", "email": "jane.doe@example.com",
        "phone": "+15551234567", "active": true})")
                        .as_object();
    return op;
  }

  std::chrono::steady_clock::time_point connector_now_{std::chrono::hours(1)};
};

TEST_F(IdentityCallSimTest, CreateUpdateClearDeactivate) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  PushResult r = push(op).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  ASSERT_TRUE(r.vendor_id);
  const std::string id = *r.vendor_id;
  ASSERT_TRUE(record(id));
  EXPECT_EQ(record(id)->at("name"), "Jane Doe");
  EXPECT_EQ(record(id)->at("phone_number"), "+15551234567");
  EXPECT_EQ(record(id)->at("email"), "jane.doe@example.com");

  op.attributes["display_name"] = "Jane Q. Doe";  // one field
  sims_->clear_requests(Vendor::identitycall);
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_EQ(record(id)->at("name"), "Jane Q. Doe");
  const json::array log = sims_->requests(Vendor::identitycall);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("method"), "PATCH");
  EXPECT_EQ(log[0].as_object().at("target"), json::value("/api/v1/public/operators/" + id));
  EXPECT_EQ(log[0].as_object().at("json"), json::parse(R"({"name":"Jane Q. Doe"})"));
  EXPECT_EQ(log[0].as_object().at("headers").as_object().at("Authorization"), "***");

  op.attributes.erase("email");  // a clear: email null
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_TRUE(record(id)->at("email").is_null());

  op.deleted = true;  // deactivate (the default policy)
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_EQ(record(id)->at("active"), false);
}

TEST_F(IdentityCallSimTest, LooksUpByEmailAndDeletes) {
  make_connector("delete_policy: delete\n");
  ASSERT_TRUE(
      sims_
          ->seed_record(Vendor::identitycall, {{"name", "Other"}, {"phone_number", "+15550000000"}})
          .ok());
  auto seeded = sims_->seed_record(Vendor::identitycall, {{"id", 77},
                                                          {"name", "Old"},
                                                          {"phone_number", "+15551234567"},
                                                          {"email", "Jane.Doe@Example.com"}});
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  CanonicalOperator op = jane();
  PushResult r = push(op).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "77");
  EXPECT_EQ(record("77")->at("name"), "Jane Doe");

  op.deleted = true;
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_FALSE(record("77")) << "a hard delete removes the record";
  EXPECT_EQ(push(op).value().outcome, PushOutcome::ok) << "deleting again: already gone";
}

TEST_F(IdentityCallSimTest, UnmappedWithoutCreateIsPermanent) {
  make_connector();
  PushResult r = push(jane()).value();
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("unmapped"), std::string::npos);
  EXPECT_TRUE(sims_->records(Vendor::identitycall).empty());
}

TEST_F(IdentityCallSimTest, RuleViolationIsPermanentWithTheSimulatorsMessage) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  op.attributes["email"] = "not-an-email";  // the decoder would refuse it; the vendor does too
  PushResult r = push(op).value();
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 422U);
  EXPECT_EQ(r.message, "Email is invalid");
}

TEST_F(IdentityCallSimTest, MissingPermissionIsPermanent) {
  ASSERT_TRUE(sims_
                  ->seed_record(Vendor::identitycall, {{"id", 5},
                                                       {"name", "Jane"},
                                                       {"phone_number", "+15551234567"},
                                                       {"email", "jane.doe@example.com"}})
                  .ok());
  make_connector("", kReadOnlyKey);
  PushResult r = push(jane()).value();
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 403U);
  EXPECT_EQ(r.message, "Write permission required");
}

// N new operators cost one GET /operators, not one each (before the directory: 30 for 30).
TEST_F(IdentityCallSimTest, TheListIsFetchedOncePerRunNotOncePerNewOperator) {
  make_connector("create_missing: true\n");
  ASSERT_TRUE(sims_
                  ->seed_record(Vendor::identitycall, {{"id", 5},
                                                       {"name", "Seeded"},
                                                       {"phone_number", "+15551234567"},
                                                       {"email", "seeded@example.com"}})
                  .ok());
  constexpr int kNew = 30;
  for (int i = 0; i < kNew; ++i) {
    PushResult r = push(person(i)).value();
    ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  }
  CanonicalOperator seeded = person(99);
  seeded.attributes["email"] = "Seeded@example.com";
  PushResult r = push(seeded).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "5");
  EXPECT_EQ(list_requests(), 1U);
  EXPECT_EQ(creates(), static_cast<std::size_t>(kNew));
}

// Operators made out of band are found once the directory is 60 s old; an operator the
// directory knows but that was deleted out of band answers 404: that push is retried, and the
// retry walks the list again and creates it (no second 404, no permanent failure).
TEST_F(IdentityCallSimTest, OutOfBandCreatesAndDeletesAreFollowed) {
  make_clocked_connector("create_missing: true\n");
  ASSERT_TRUE(sims_
                  ->seed_record(Vendor::identitycall, {{"id", 600},
                                                       {"name", "Listed"},
                                                       {"phone_number", "+15557650000"},
                                                       {"email", "op3@example.com"}})
                  .ok());
  ASSERT_EQ(push(person(1)).value().outcome, PushOutcome::ok);  // the first walk
  ASSERT_TRUE(sims_
                  ->seed_record(Vendor::identitycall, {{"id", 500},
                                                       {"name", "Made Elsewhere"},
                                                       {"phone_number", "+15557654321"},
                                                       {"email", "op2@example.com"}})
                  .ok());
  connector_now_ += std::chrono::seconds(61);
  PushResult r = push(person(2)).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "500");
  EXPECT_EQ(list_requests(), 2U);
  EXPECT_EQ(creates(), 1U);

  // Another instance deletes 600 for good; this one's directory still maps op3@example.com to it.
  {
    ConnectorConfig config;
    config.name = "identitycall_admin";
    config.type = "identitycall";
    config.file = "test.yaml";
    config.settings = YAML::Load(settings_yaml("delete_policy: delete\n", kFullKey));
    std::unique_ptr<Connector> other = identitycall_connector_type().create(config, io_);
    PushContext remove;
    remove.operator_id = "emp-3";
    remove.vendor_id = "600";
    remove.deleted = true;
    std::swap(connector_, other);
    ASSERT_EQ(run(std::move(remove)).outcome, PushOutcome::ok);
    std::swap(connector_, other);
  }
  ASSERT_FALSE(record("600"));
  CanonicalOperator again = person(3);
  r = push(again).value();
  EXPECT_EQ(r.outcome, PushOutcome::retry);
  EXPECT_EQ(r.status, 404U);
  EXPECT_EQ(list_requests(), 2U);
  r = push(again).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  ASSERT_TRUE(r.vendor_id);
  EXPECT_NE(*r.vendor_id, "600");
  EXPECT_EQ(list_requests(), 3U);
  EXPECT_EQ(creates(), 2U);
  ASSERT_TRUE(record(*r.vendor_id));
  EXPECT_EQ(record(*r.vendor_id)->at("name"), "Operator 3");
}

// A create whose answer is lost after IdentityCall applied it (issue 12, defect 4): the retry
// finds the operator (by e-mail, or by name and phone number when it has no e-mail) instead of
// creating a second one.
TEST_F(IdentityCallSimTest, ALostCreateAnswerIsFoundNotCreatedTwice) {
  make_connector("create_missing: true\n");
  // The directory is filled first, so the lost request below is the create itself.
  auto r = push(person(1));
  ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << (r ? r->message : "");
  CanonicalOperator without_email = person(2);
  without_email.attributes.erase("email");
  for (const CanonicalOperator& op : {person(3), without_email}) {
    sims_->set_faults(Vendor::identitycall, {.lost_answer_rate = 1.0});
    r = push(op);
    ASSERT_TRUE(r && r->outcome == PushOutcome::retry) << op.id << ": " << (r ? r->message : "");
    sims_->set_faults(Vendor::identitycall, {});
    r = push(op);
    ASSERT_TRUE(r && r->outcome == PushOutcome::ok) << op.id << ": " << (r ? r->message : "");
    ASSERT_TRUE(ids_.count(op.id)) << op.id;
    EXPECT_TRUE(record(ids_.at(op.id))) << op.id;
  }
  EXPECT_EQ(sims_->records(Vendor::identitycall).size(), 3u);
  EXPECT_EQ(sims_->duplicates(Vendor::identitycall), json::array())
      << sims_->duplicates(Vendor::identitycall);
}

// The read side (issue 12).
TEST_F(IdentityCallSimTest, ReadBackIsInStepAndShowsEditsMadeAtIdentityCall) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const std::string id = ids_.at(op.id);
  const json::object desired = connector_->map(op).fields;

  int pages = 0;
  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_, &pages);
  EXPECT_EQ(pages, 1);
  const VendorRecord* found = test::find_record(listed, id);
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, *found).empty()) << test::describe(*found);
  ReadResult one = test::read_one(io_, *connector_, id);
  ASSERT_EQ(one.status, ReadResult::Status::ok) << one.failure.message;
  EXPECT_EQ(one.records.at(0).fields, found->fields);

  // The e-mail's case and a phone written with spaces are IdentityCall's forms, in step.
  const std::string phone(desired.at("phone_number").as_string());
  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::identitycall, id,
                                {{"email", "JANE.DOE@example.com"},
                                 {"phone_number", phone.substr(0, 2) + " " + phone.substr(2)}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, one.records.at(0)).empty())
      << test::describe(one.records.at(0));

  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::identitycall, id,
                                {{"name", "Someone Else"}, {"email", nullptr}, {"active", false}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_EQ(test::drifted_fields(*connector_, desired, one.records.at(0)),
            (std::vector<std::string>{"active", "email", "name"}));
  op.deleted = true;  // deactivated: active false is in step
  EXPECT_EQ(test::drifted_fields(*connector_, connector_->map(op).fields, one.records.at(0)),
            (std::vector<std::string>{"email", "name"}));

  // Hard-deleted at IdentityCall: not_found.
  ASSERT_TRUE(sims_->delete_record(Vendor::identitycall, id));
  EXPECT_EQ(test::read_one(io_, *connector_, id).status, ReadResult::Status::not_found);
  EXPECT_EQ(test::read_one(io_, *connector_, "999999").status, ReadResult::Status::not_found);
  EXPECT_EQ(test::find_record(test::list_all(io_, *connector_), id), nullptr);
}

TEST_F(IdentityCallSimTest, ListWithAnUnknownKeyFails) {
  make_connector("", "idc_opsyncsimunknownkey0000000000001");
  ReadResult r = test::list_page(io_, *connector_);
  EXPECT_EQ(r.status, ReadResult::Status::failed);
  EXPECT_EQ(r.failure.status, 401U);
  EXPECT_EQ(r.failure.outcome, PushOutcome::permanent);
}

}  // namespace
}  // namespace opsync
