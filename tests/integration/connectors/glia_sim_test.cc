// The Glia connector against the in-process Glia simulator: create, update, clear, deactivate,
// delete, id lookup (one walk of the operator list per run, operators made in Glia's UI still
// found), a rule violation (422) and token expiry, asserted on the simulator's records and
// request log.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <thread>

#include "common/http_client.h"
#include "framework/diff.h"
#include "glia/glia_connector.h"
#include "glia/glia_type.h"
#include "read_back.h"
#include "support/connector_sim_fixture.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

class GliaSimTest : public test::ConnectorSimFixture {
 protected:
  vendorsim::Options sim_options() override {
    vendorsim::Options options;
    options.glia.token_lifetime = std::chrono::seconds(60);
    options.clock = [this] {
      return std::chrono::steady_clock::time_point(std::chrono::seconds(sim_seconds_.load()));
    };
    return options;
  }

  std::string settings_yaml(const std::string& extra) const {
    return "type: glia\nbase_url: " + sims_->base_url(Vendor::glia) +
           "\napi_key_id: opsync-glia-key-id\n"
           "api_key_secret: opsync-glia-key-secret\n"
           "teams: {support: site-1/team-support, sales: site-1/team-sales}\n" +
           extra;
  }

  void make_connector(const std::string& extra = "") {
    ConnectorSimFixture::make_connector(glia_connector_type(), "glia_eu", settings_yaml(extra));
  }

  // As make_connector, with the connector's clock (token expiry, the directory's age) set by
  // the test through connector_now_.
  void make_clocked_connector(const std::string& extra) {
    ConnectorConfig config;
    config.name = "glia_eu";
    config.type = "glia";
    config.file = "test.yaml";
    config.settings = YAML::Load(settings_yaml(extra));
    GliaSettings settings = load_connector_settings(config, glia_settings_schema());
    HttpClient::Options options;
    options.base_url = settings.base_url;
    connector_ = std::make_unique<GliaConnector>(
        config.name, std::move(settings), std::make_shared<HttpClient>(io_, std::move(options)),
        [this] { return connector_now_; });
  }

  // GET /operators?... requests (pages of the operator list) in the simulator's log.
  std::size_t list_requests() const {
    std::size_t n = 0;
    for (const auto& entry : sims_->requests(Vendor::glia)) {
      const auto& e = entry.as_object();
      if (e.at("method") == "GET" && e.at("target").as_string().starts_with("/operators?")) ++n;
    }
    return n;
  }

  std::size_t creates() const {
    std::size_t n = 0;
    for (const auto& entry : sims_->requests(Vendor::glia)) {
      const auto& e = entry.as_object();
      if (e.at("method") == "POST" && e.at("target") == "/operators") ++n;
    }
    return n;
  }

  static CanonicalOperator person(const std::string& id, const std::string& email) {
    CanonicalOperator op;
    op.id = id;
    op.attributes = {{"display_name", "Operator " + id}, {"email", email}, {"active", true}};
    return op;
  }

  json::object record(const std::string& id) {
    for (const auto& r : sims_->records(Vendor::glia)) {
      if (r.as_object().at("id") == json::value(id)) return r.as_object();
    }
    ADD_FAILURE() << "no Glia record " << id;
    return {};
  }

  static CanonicalOperator jane() {
    CanonicalOperator op;
    op.id = "emp-42";
    op.attributes = json::parse(R"({"display_name": "Jane Doe", "email": "jane.doe@example.com",
        "phone": "+15551234567", "phone_extension": ",,12", "active": true,
        "teams": ["support"], "max_concurrent_chats": 2})")
                        .as_object();
    return op;
  }

  std::atomic<long> sim_seconds_{1000};
  std::chrono::steady_clock::time_point connector_now_{std::chrono::hours(1)};
};

TEST_F(GliaSimTest, CreateUpdateClearDeactivate) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  PushResult r = push(op).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  ASSERT_TRUE(r.vendor_id);
  const std::string id = *r.vendor_id;
  json::object rec = record(id);
  EXPECT_EQ(rec.at("name"), "Jane Doe");
  EXPECT_EQ(rec.at("email"), "jane.doe@example.com");
  EXPECT_EQ(rec.at("phone_extension"), ",,12");
  EXPECT_EQ(rec.at("max_engagement_count"), 2);
  EXPECT_EQ(rec.at("assignments"),
            json::parse(R"([{"site_id":"site-1","team_ids":["team-support"]}])"));

  op.attributes["phone"] = "+15557654321";  // one field
  sims_->clear_requests(Vendor::glia);
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_EQ(record(id).at("phone"), "+15557654321");
  const json::array log = sims_->requests(Vendor::glia);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("json"), json::parse(R"({"phone":"+15557654321"})"));

  op.attributes.erase("phone_extension");  // a clear
  op.attributes["teams"] = json::array{"support", "sales"};
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  rec = record(id);
  EXPECT_TRUE(rec.at("phone_extension").is_null());
  EXPECT_EQ(rec.at("assignments"),
            json::parse(R"([{"site_id":"site-1","team_ids":["team-support","team-sales"]}])"));

  op.deleted = true;  // deactivate (the default policy)
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  EXPECT_EQ(record(id).at("enabled"), false);

  for (const auto& entry : sims_->requests(Vendor::glia)) {
    const auto& headers = entry.as_object().at("headers").as_object();
    ASSERT_TRUE(headers.contains("Accept"));
    EXPECT_EQ(headers.at("Accept"), "application/vnd.salemove.v1+json");
  }
}

TEST_F(GliaSimTest, LooksUpByEmailAcrossPagesAndDeletes) {
  make_connector("delete_policy: delete\n");
  for (int i = 0; i < 45; ++i) {  // more than one page of 30
    ASSERT_TRUE(
        sims_
            ->seed_record(Vendor::glia, {{"name", "Filler " + std::to_string(i)},
                                         {"email", "filler" + std::to_string(i) + "@example.com"}})
            .ok());
  }
  auto seeded = sims_->seed_record(Vendor::glia, {{"id", "glia-jane"},
                                                  {"name", "Old Name"},
                                                  {"email", "JANE.DOE@example.com"},
                                                  {"enabled", false}});
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  CanonicalOperator op = jane();
  PushResult r = push(op).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "glia-jane");
  EXPECT_EQ(record("glia-jane").at("name"), "Jane Doe");
  EXPECT_EQ(record("glia-jane").at("enabled"), true);

  op.deleted = true;
  sims_->clear_requests(Vendor::glia);
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const json::array log = sims_->requests(Vendor::glia);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("method"), "DELETE");
  EXPECT_EQ(log[0].as_object().at("target"), "/operators/glia-jane");
  EXPECT_EQ(record("glia-jane").at("enabled"), false);  // Glia's delete disables
}

TEST_F(GliaSimTest, UnmappedWithoutCreateIsPermanent) {
  make_connector();
  PushResult r = push(jane()).value();
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("unmapped"), std::string::npos);
  EXPECT_TRUE(sims_->records(Vendor::glia).empty());
}

TEST_F(GliaSimTest, RuleViolationIsPermanentWithTheSimulatorsMessage) {
  make_connector("create_missing: true\n");
  ASSERT_TRUE(
      sims_->seed_record(Vendor::glia, {{"name", "Taken"}, {"email", "taken@example.com"}}).ok());
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  op.attributes["email"] = "taken@example.com";
  PushResult r = push(op).value();
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 422U);
  EXPECT_EQ(r.message, "Validation failed: email has already been taken");
}

TEST_F(GliaSimTest, ExpiredTokenIsRefreshedOnce) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  sim_seconds_ += 120;  // the simulator's 60 s tokens expire; the connector assumes an hour
  op.attributes["display_name"] = "Jane Q. Doe";
  sims_->clear_requests(Vendor::glia);
  PushResult r = push(op).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  std::vector<std::pair<std::string, std::int64_t>> calls;
  for (const auto& entry : sims_->requests(Vendor::glia)) {
    const auto& e = entry.as_object();
    calls.emplace_back(std::string(e.at("target").as_string()),
                       e.at("status").to_number<std::int64_t>());
  }
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[0].second, 401);
  EXPECT_EQ(calls[1].first, "/operator_authentication/tokens");
  EXPECT_EQ(calls[2].second, 200);
  EXPECT_EQ(record(ids_.at(op.id)).at("name"), "Jane Q. Doe");
}

// N new operators cost one walk of the list (its pages), not one walk per operator: before the
// directory, 40 creates over a 2-page list made 80 list requests, growing with every create.
TEST_F(GliaSimTest, TheListIsWalkedOncePerRunNotOncePerNewOperator) {
  make_connector("create_missing: true\n");
  for (int i = 0; i < 45; ++i) {  // two pages of 30
    ASSERT_TRUE(sims_
                    ->seed_record(Vendor::glia, {{"name", "Filler " + std::to_string(i)},
                                                 {"email", "filler" + std::to_string(i) + "@x.io"}})
                    .ok());
  }
  constexpr int kNew = 40;
  for (int i = 0; i < kNew; ++i) {
    const std::string n = std::to_string(i);
    PushResult r = push(person("emp-" + n, "new" + n + "@example.com")).value();
    ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
    ASSERT_TRUE(r.vendor_id);
  }
  EXPECT_EQ(list_requests(), 2U);
  EXPECT_EQ(creates(), static_cast<std::size_t>(kNew));
  EXPECT_EQ(sims_->records(Vendor::glia).size(), 45U + kNew);

  // An operator the walk saw is found in the directory: no request but its update.
  sims_->clear_requests(Vendor::glia);
  PushResult r = push(person("emp-f", "filler7@x.io")).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(list_requests(), 0U);
  EXPECT_EQ(sims_->requests(Vendor::glia).size(), 1U);
}

// An operator made in Glia's UI after the directory was filled is found once the directory is
// older than its bound (60 s), not created a second time.
TEST_F(GliaSimTest, AnOperatorMadeOutOfBandIsFoundNotCreatedTwice) {
  make_clocked_connector("create_missing: true\n");
  ASSERT_EQ(push(jane()).value().outcome, PushOutcome::ok);  // fills the directory, creates
  ASSERT_EQ(list_requests(), 1U);
  auto seeded = sims_->seed_record(
      Vendor::glia, {{"id", "glia-human"}, {"name", "Made In The UI"}, {"email", "human@x.io"}});
  ASSERT_TRUE(seeded.ok()) << seeded.error;

  connector_now_ += std::chrono::seconds(61);
  sims_->clear_requests(Vendor::glia);
  PushResult r = push(person("emp-7", "Human@X.io")).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "glia-human");
  EXPECT_EQ(list_requests(), 1U);  // the walk again, one page
  EXPECT_EQ(creates(), 0U);
  EXPECT_EQ(record("glia-human").at("name"), "Operator emp-7");
  std::size_t humans = 0;
  for (const auto& rec : sims_->records(Vendor::glia)) {
    const json::value* email = rec.as_object().if_contains("email");
    if (email && email->is_string() && iequals(email->as_string(), "human@x.io")) ++humans;
  }
  EXPECT_EQ(humans, 1U);
}

// Inside the directory's 60 s an operator appears in Glia (here seeded; in production a create
// whose answer was lost, or a human): the create is refused as "already been taken", which is
// retried after marking the directory stale, and the retry finds and updates that operator.
TEST_F(GliaSimTest, ACreateRefusedAsTakenIsRetriedAndFindsTheOperator) {
  make_clocked_connector("create_missing: true\n");
  ASSERT_EQ(push(jane()).value().outcome, PushOutcome::ok);  // fills the directory
  auto seeded = sims_->seed_record(
      Vendor::glia, {{"id", "glia-lost"}, {"name", "Lost Answer"}, {"email", "lost@x.io"}});
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  PushResult first = push(person("emp-8", "lost@x.io")).value();
  EXPECT_EQ(first.outcome, PushOutcome::retry) << first.message;
  EXPECT_EQ(first.status, 422U);
  PushResult second = push(person("emp-8", "lost@x.io")).value();
  ASSERT_EQ(second.outcome, PushOutcome::ok) << second.message;
  EXPECT_EQ(second.vendor_id, "glia-lost");
  EXPECT_EQ(record("glia-lost").at("name"), "Operator emp-8");
}

// A create whose answer is lost after Glia applied it (issue 12, defect 4): the retry walks the
// list again, finds the operator by e-mail and updates it; there is one record per e-mail.
TEST_F(GliaSimTest, ALostCreateAnswerIsFoundNotCreatedTwice) {
  make_connector("create_missing: true\n");
  ASSERT_EQ(push(jane()).value().outcome, PushOutcome::ok);  // a token, the directory filled
  sims_->set_faults(Vendor::glia, {.lost_answer_rate = 1.0, .lost_answer_method = "POST"});
  PushResult first = push(person("emp-9", "nine@x.io")).value();
  ASSERT_EQ(first.outcome, PushOutcome::retry) << first.message;
  sims_->set_faults(Vendor::glia, {});
  PushResult second = push(person("emp-9", "nine@x.io")).value();
  ASSERT_EQ(second.outcome, PushOutcome::ok) << second.message;
  EXPECT_EQ(sims_->records(Vendor::glia).size(), 2U);
  EXPECT_EQ(sims_->duplicates(Vendor::glia), json::array()) << sims_->duplicates(Vendor::glia);
}

// The read side (issue 12): what the connector pushed reads back in step, field by field.
TEST_F(GliaSimTest, ReadBackIsInStepAndShowsEditsMadeAtGlia) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  op.attributes["teams"] = json::array{"support", "sales"};
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  const std::string id = ids_.at(op.id);
  const json::object desired = connector_->map(op).fields;

  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_);
  const VendorRecord* found = test::find_record(listed, id);
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, *found).empty()) << test::describe(*found);
  ReadResult one = test::read_one(io_, *connector_, id);
  ASSERT_EQ(one.status, ReadResult::Status::ok) << one.failure.message;
  ASSERT_EQ(one.records.size(), 1U);
  EXPECT_EQ(one.records[0].fields, found->fields);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, one.records[0]).empty());

  // Glia's own normalisations stay in step: another order of the teams, the e-mail's case.
  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::glia, id,
                                {{"email", "Jane.Doe@Example.com"},
                                 {"assignments", json::parse(R"([{"site_id":"site-1",
                                     "team_ids":["team-sales","team-support"]}])")}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  ASSERT_EQ(one.status, ReadResult::Status::ok);
  EXPECT_TRUE(test::drifted_fields(*connector_, desired, one.records[0]).empty())
      << test::describe(one.records[0]);

  // An edit in Glia's UI, behind opsync's back, shows as the fields that differ.
  ASSERT_TRUE(sims_
                  ->edit_record(Vendor::glia, id,
                                {{"name", "Jane (edited)"},
                                 {"phone_extension", nullptr},
                                 {"max_engagement_count", 9}})
                  .ok());
  one = test::read_one(io_, *connector_, id);
  ASSERT_EQ(one.status, ReadResult::Status::ok);
  EXPECT_EQ(test::drifted_fields(*connector_, desired, one.records[0]),
            (std::vector<std::string>{"max_engagement_count", "name", "phone_extension"}));

  // A deactivated operator's flag compares too.
  op.deleted = true;
  ASSERT_TRUE(sims_->edit_record(Vendor::glia, id, {{"enabled", true}}).ok());
  one = test::read_one(io_, *connector_, id);
  EXPECT_EQ(
      test::drifted_fields(*connector_, connector_->map(op).fields, one.records[0]),
      (std::vector<std::string>{"enabled", "max_engagement_count", "name", "phone_extension"}));
  shadows_[op.id] = one.records[0].fields;  // the shadow corrected from what Glia holds
  ASSERT_EQ(push(op).value().outcome, PushOutcome::ok);
  one = test::read_one(io_, *connector_, id);
  EXPECT_TRUE(test::drifted_fields(*connector_, connector_->map(op).fields, one.records[0]).empty())
      << test::describe(one.records[0]);
}

TEST_F(GliaSimTest, ReadOfADeletedOrUnknownIdIsNotFound) {
  make_connector();
  auto seeded = sims_->seed_record(Vendor::glia, {{"id", "glia-gone"}, {"name", "Gone"}});
  ASSERT_TRUE(seeded.ok());
  EXPECT_EQ(test::read_one(io_, *connector_, "glia-gone").status, ReadResult::Status::ok);
  ASSERT_TRUE(sims_->delete_record(Vendor::glia, "glia-gone"));
  EXPECT_EQ(test::read_one(io_, *connector_, "glia-gone").status, ReadResult::Status::not_found);
  EXPECT_EQ(test::read_one(io_, *connector_, "no-such-operator").status,
            ReadResult::Status::not_found);
  EXPECT_TRUE(test::list_all(io_, *connector_).empty());
}

TEST_F(GliaSimTest, ListReadsEveryPageDisabledOperatorsIncluded) {
  make_connector();
  for (int i = 0; i < 65; ++i) {  // three pages of 30
    ASSERT_TRUE(sims_
                    ->seed_record(Vendor::glia, {{"name", "Op " + std::to_string(i)},
                                                 {"email", "op" + std::to_string(i) + "@x.com"},
                                                 {"enabled", i % 2 == 0}})
                    .ok());
  }
  int pages = 0;
  const std::vector<VendorRecord> listed = test::list_all(io_, *connector_, &pages);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed.size(), 65U);
  for (const auto& entry : sims_->requests(Vendor::glia)) {
    const std::string target(entry.as_object().at("target").as_string());
    if (target.starts_with("/operators?")) {
      EXPECT_NE(target.find("include_disabled=true"), std::string::npos) << target;
    }
  }
}

// Seed 000: phone_extension is "valid only if phone is also set or was set beforehand". An
// operator whose phone was set in Glia (not by opsync) takes an extension alone.
TEST_F(GliaSimTest, PhoneExtensionIsAcceptedWhenGliaHoldsAPhoneAlready) {
  make_connector();
  ASSERT_TRUE(sims_
                  ->seed_record(Vendor::glia, {{"id", "glia-phone"},
                                               {"name", "Has Phone"},
                                               {"email", "has.phone@example.com"},
                                               {"phone", "+15550001111"}})
                  .ok());
  ASSERT_TRUE(
      sims_->seed_record(Vendor::glia, {{"id", "glia-nophone"}, {"name", "No Phone"}}).ok());
  CanonicalOperator op;
  op.id = "emp-ext";
  op.attributes = {{"display_name", "Has Phone"}, {"phone_extension", ",,7"}};
  ids_[op.id] = "glia-phone";
  PushResult r = push(op).value();
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(record("glia-phone").at("phone_extension"), ",,7");
  EXPECT_EQ(record("glia-phone").at("phone"), "+15550001111");

  // Never a phone: Glia refuses, in its own words.
  CanonicalOperator other;
  other.id = "emp-ext-2";
  other.attributes = {{"display_name", "No Phone"}, {"phone_extension", "12"}};
  ids_[other.id] = "glia-nophone";
  r = push(other).value();
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("is valid only if phone is also set or was set beforehand"),
            std::string::npos)
      << r.message;
}

}  // namespace
}  // namespace opsync
