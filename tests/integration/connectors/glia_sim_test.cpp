// The Glia connector against the in-process Glia simulator: create, update, clear, deactivate,
// delete, id lookup, a rule violation (422) and token expiry, asserted on the simulator's records
// and request log.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <thread>

#include "framework/diff.h"
#include "glia/glia_type.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

class GliaSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vendorsim::Options options;
    options.glia.token_lifetime = std::chrono::seconds(60);
    options.clock = [this] {
      return std::chrono::steady_clock::time_point(std::chrono::seconds(sim_seconds_.load()));
    };
    sims_ = std::make_unique<vendorsim::VendorSimulators>(sim_io_, options);
    sim_thread_ = std::thread([this] { sim_io_.run(); });
  }

  void TearDown() override {
    connector_.reset();
    sims_->stop();
    sim_thread_.join();
    sims_.reset();
  }

  void make_connector(const std::string& extra = "") {
    ConnectorConfig config;
    config.name = "glia_eu";
    config.type = "glia";
    config.file = "test.yaml";
    config.settings =
        YAML::Load("type: glia\nbase_url: " + sims_->base_url(Vendor::glia) +
                   "\napi_key_id: opsync-glia-key-id\n"
                   "api_key_secret: opsync-glia-key-secret\n"
                   "teams: {support: site-1/team-support, sales: site-1/team-sales}\n" +
                   extra);
    Diagnostics diagnostics;
    glia_connector_type().check(config, diagnostics);
    ASSERT_TRUE(diagnostics.empty());
    connector_ = glia_connector_type().create(config, io_);
  }

  // A push the way the dispatcher makes it: map, diff against the shadow, push, merge the shadow.
  PushResult push(const CanonicalOperator& op) {
    PushContext ctx;
    ctx.operator_id = op.id;
    if (auto it = ids_.find(op.id); it != ids_.end()) ctx.vendor_id = it->second;
    ctx.deleted = op.deleted;
    if (!(op.deleted && connector_->delete_policy() == DeletePolicy::remove)) {
      MapResult m = connector_->map(op);
      EXPECT_TRUE(m.ok()) << m.error;
      ctx.desired = m.fields;
      ctx.changed = diff_fields(ctx.desired, shadows_[op.id], connector_->clear_style());
    }
    const json::object desired = ctx.desired;
    const json::object changed = ctx.changed;
    std::optional<PushResult> result;
    io_.restart();
    boost::asio::co_spawn(io_, connector_->push(std::move(ctx)),
                          [&](std::exception_ptr, PushResult r) { result = std::move(r); });
    io_.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(result.has_value()) << "push did not finish";
    if (!result) return {};
    if (result->outcome == PushOutcome::ok) {
      shadows_[op.id] =
          merge_into_shadow(shadows_[op.id], result->acknowledged.value_or(changed), desired);
      if (result->vendor_id) ids_[op.id] = *result->vendor_id;
    }
    return *result;
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
  boost::asio::io_context sim_io_;
  boost::asio::io_context io_;
  std::unique_ptr<vendorsim::VendorSimulators> sims_;
  std::thread sim_thread_;
  std::unique_ptr<Connector> connector_;
  std::map<std::string, json::object> shadows_;
  std::map<std::string, std::string> ids_;
};

TEST_F(GliaSimTest, CreateUpdateClearDeactivate) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  PushResult r = push(op);
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
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  EXPECT_EQ(record(id).at("phone"), "+15557654321");
  const json::array log = sims_->requests(Vendor::glia);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("json"), json::parse(R"({"phone":"+15557654321"})"));

  op.attributes.erase("phone_extension");  // a clear
  op.attributes["teams"] = json::array{"support", "sales"};
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  rec = record(id);
  EXPECT_TRUE(rec.at("phone_extension").is_null());
  EXPECT_EQ(rec.at("assignments"),
            json::parse(R"([{"site_id":"site-1","team_ids":["team-support","team-sales"]}])"));

  op.deleted = true;  // deactivate (the default policy)
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
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
  PushResult r = push(op);
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "glia-jane");
  EXPECT_EQ(record("glia-jane").at("name"), "Jane Doe");
  EXPECT_EQ(record("glia-jane").at("enabled"), true);

  op.deleted = true;
  sims_->clear_requests(Vendor::glia);
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  const json::array log = sims_->requests(Vendor::glia);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("method"), "DELETE");
  EXPECT_EQ(log[0].as_object().at("target"), "/operators/glia-jane");
  EXPECT_EQ(record("glia-jane").at("enabled"), false);  // Glia's delete disables
}

TEST_F(GliaSimTest, UnmappedWithoutCreateIsPermanent) {
  make_connector();
  PushResult r = push(jane());
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("unmapped"), std::string::npos);
  EXPECT_TRUE(sims_->records(Vendor::glia).empty());
}

TEST_F(GliaSimTest, RuleViolationIsPermanentWithTheSimulatorsMessage) {
  make_connector("create_missing: true\n");
  ASSERT_TRUE(
      sims_->seed_record(Vendor::glia, {{"name", "Taken"}, {"email", "taken@example.com"}}).ok());
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  op.attributes["email"] = "taken@example.com";
  PushResult r = push(op);
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 422U);
  EXPECT_EQ(r.message, "Validation failed: email has already been taken");
}

TEST_F(GliaSimTest, ExpiredTokenIsRefreshedOnce) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  sim_seconds_ += 120;  // the simulator's 60 s tokens expire; the connector assumes an hour
  op.attributes["display_name"] = "Jane Q. Doe";
  sims_->clear_requests(Vendor::glia);
  PushResult r = push(op);
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

}  // namespace
}  // namespace opsync
