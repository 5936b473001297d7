// The IdentityCall connector against the in-process IdentityCall simulator: create, update,
// clear, deactivate, delete, id lookup, a rule violation (422) and a missing permission (403),
// asserted on the simulator's records and request log.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <thread>

#include "framework/diff.h"
#include "identitycall/identitycall_type.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace json = boost::json;
using vendorsim::Vendor;

constexpr const char* kFullKey = "idc_opsyncsimfullaccess0000000000001";
constexpr const char* kReadOnlyKey = "idc_opsyncsimreadonly000000000000001";

class IdentityCallSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sims_ = std::make_unique<vendorsim::VendorSimulators>(sim_io_, vendorsim::Options{});
    sim_thread_ = std::thread([this] { sim_io_.run(); });
  }

  void TearDown() override {
    connector_.reset();
    sims_->stop();
    sim_thread_.join();
    sims_.reset();
  }

  void make_connector(const std::string& extra = "", const std::string& key = kFullKey) {
    ConnectorConfig config;
    config.name = "identitycall";
    config.type = "identitycall";
    config.file = "test.yaml";
    config.settings =
        YAML::Load("type: identitycall\nbase_url: " + sims_->base_url(Vendor::identitycall) +
                   "/api/v1/public\napi_key: " + key + "\n" + extra);
    Diagnostics diagnostics;
    identitycall_connector_type().check(config, diagnostics);
    ASSERT_TRUE(diagnostics.empty());
    connector_ = identitycall_connector_type().create(config, io_);
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

  boost::asio::io_context sim_io_;
  boost::asio::io_context io_;
  std::unique_ptr<vendorsim::VendorSimulators> sims_;
  std::thread sim_thread_;
  std::unique_ptr<Connector> connector_;
  std::map<std::string, json::object> shadows_;
  std::map<std::string, std::string> ids_;
};

TEST_F(IdentityCallSimTest, CreateUpdateClearDeactivate) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  PushResult r = push(op);
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  ASSERT_TRUE(r.vendor_id);
  const std::string id = *r.vendor_id;
  ASSERT_TRUE(record(id));
  EXPECT_EQ(record(id)->at("name"), "Jane Doe");
  EXPECT_EQ(record(id)->at("phone_number"), "+15551234567");
  EXPECT_EQ(record(id)->at("email"), "jane.doe@example.com");

  op.attributes["display_name"] = "Jane Q. Doe";  // one field
  sims_->clear_requests(Vendor::identitycall);
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  EXPECT_EQ(record(id)->at("name"), "Jane Q. Doe");
  const json::array log = sims_->requests(Vendor::identitycall);
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].as_object().at("method"), "PATCH");
  EXPECT_EQ(log[0].as_object().at("target"), json::value("/api/v1/public/operators/" + id));
  EXPECT_EQ(log[0].as_object().at("json"), json::parse(R"({"name":"Jane Q. Doe"})"));
  EXPECT_EQ(log[0].as_object().at("headers").as_object().at("Authorization"), "***");

  op.attributes.erase("email");  // a clear: email null
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  EXPECT_TRUE(record(id)->at("email").is_null());

  op.deleted = true;  // deactivate (the default policy)
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
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
  PushResult r = push(op);
  ASSERT_EQ(r.outcome, PushOutcome::ok) << r.message;
  EXPECT_EQ(r.vendor_id, "77");
  EXPECT_EQ(record("77")->at("name"), "Jane Doe");

  op.deleted = true;
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  EXPECT_FALSE(record("77")) << "a hard delete removes the record";
  EXPECT_EQ(push(op).outcome, PushOutcome::ok) << "deleting again: already gone";
}

TEST_F(IdentityCallSimTest, UnmappedWithoutCreateIsPermanent) {
  make_connector();
  PushResult r = push(jane());
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_NE(r.message.find("unmapped"), std::string::npos);
  EXPECT_TRUE(sims_->records(Vendor::identitycall).empty());
}

TEST_F(IdentityCallSimTest, RuleViolationIsPermanentWithTheSimulatorsMessage) {
  make_connector("create_missing: true\n");
  CanonicalOperator op = jane();
  ASSERT_EQ(push(op).outcome, PushOutcome::ok);
  op.attributes["email"] = "not-an-email";  // the decoder would refuse it; the vendor does too
  PushResult r = push(op);
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
  PushResult r = push(jane());
  EXPECT_EQ(r.outcome, PushOutcome::permanent);
  EXPECT_EQ(r.status, 403U);
  EXPECT_EQ(r.message, "Write permission required");
}

}  // namespace
}  // namespace opsync
