#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "dispatch/connector_planner.h"
#include "dispatch/push_plan.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "unit/dispatch/fake_connector.h"

namespace opsync {
namespace {

namespace json = boost::json;

CanonicalOperator record(std::string_view attributes) {
  CanonicalOperator op;
  op.id = "emp-1";
  op.attributes = json::parse(attributes).as_object();
  return op;
}

class PlannerTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  StateStore store{dir.str()};
  test::FakeConnector connector{"glia_eu"};
  ConnectorPlanner planner{connector};
};

TEST_F(PlannerTest, NeverPushedNeedsAPush) {
  EXPECT_EQ(planner.connector_name(), "glia_eu");
  EXPECT_TRUE(planner.needs_push(record(R"({"email":"a@x"})"), store));
}

TEST_F(PlannerTest, ShadowEqualToTheMappedRecordNeedsNoPush) {
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","active":true})").as_object(), 1);
  EXPECT_FALSE(planner.needs_push(record(R"({"email":"a@x","given_name":"ignored"})"), store));
  EXPECT_TRUE(planner.needs_push(record(R"({"email":"b@x"})"), store));
}

// A -> B (push of B in flight, shadow still A) -> A: the diff against the shadow is empty, but
// the pending row must be bumped or the push of B would be the vendor's last word.
TEST_F(PlannerTest, APendingPushMeansAPushEvenWithoutADiff) {
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","active":true})").as_object(), 1);
  EXPECT_FALSE(planner.needs_push(record(R"({"email":"a@x"})"), store));
  store.outbox().upsert("glia_eu", "emp-1", 1);  // the push of b@x, in flight
  EXPECT_TRUE(planner.needs_push(record(R"({"email":"a@x"})"), store));
}

// A record changed back to the shadow's values while the vendor's state is in doubt (an earlier
// push's outcome unknown, then refused) still needs a push, and a full one.
TEST_F(PlannerTest, ADoubtMeansAFullPushEvenWithoutADiff) {
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","active":true})").as_object(), 1);
  store.doubts().mark("glia_eu", "emp-1", 1);
  EXPECT_TRUE(planner.needs_push(record(R"({"email":"a@x"})"), store));
  const PushPlan plan = plan_push(connector, record(R"({"email":"a@x"})"), store);
  EXPECT_TRUE(plan.full);
  EXPECT_EQ(plan.changed, json::parse(R"({"email":"a@x","active":true})").as_object());
}

TEST_F(PlannerTest, FullResyncStillClearsWhatTheShadowHolds) {
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","phone":"+1","active":true})").as_object(), 1);
  auto plan = plan_push(connector, record(R"({"email":"a@x"})"), store, /*full_resync=*/true);
  EXPECT_EQ(plan.changed, json::parse(R"({"email":"a@x","phone":null,"active":true})").as_object());
}

TEST_F(PlannerTest, RemovedAttributeIsAClear) {
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","phone":"+1","active":true})").as_object(), 1);
  auto plan = plan_push(connector, record(R"({"email":"a@x"})"), store);
  EXPECT_EQ(plan.changed, json::parse(R"({"phone":null})").as_object());
}

TEST_F(PlannerTest, MappingErrorNeedsAPushSoItIsReported) {
  auto op = record(R"({"email":"a@x","teams":["support","vip"]})");
  EXPECT_TRUE(planner.needs_push(op, store));
  auto plan = plan_push(connector, op, store);
  EXPECT_EQ(plan.mapping_error, "team 'vip' has no mapping in connectors.glia_eu.teams");
}

TEST_F(PlannerTest, RequiredFieldsRideAlongOnlyWithAChange) {
  connector.required = {"active", "email"};
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","active":true})").as_object(), 1);
  auto plan = plan_push(connector, record(R"({"email":"a@x","phone":"+1"})"), store);
  EXPECT_EQ(plan.changed, json::parse(R"({"phone":"+1","active":true,"email":"a@x"})").as_object());
  plan = plan_push(connector, record(R"({"email":"a@x"})"), store);
  EXPECT_TRUE(plan.changed.empty());
}

TEST_F(PlannerTest, VendorIdComesFromTheStoreOrExternalIds) {
  auto op = record(R"({"email":"a@x","external_ids":{"glia_eu":"g-9","other":"o-1"}})");
  EXPECT_EQ(plan_push(connector, op, store).vendor_id, "g-9");
  store.shadows().save_vendor_id("glia_eu", "emp-1", "g-10");
  EXPECT_EQ(plan_push(connector, op, store).vendor_id, "g-10");
}

TEST_F(PlannerTest, DeletePolicies) {
  auto op = record(R"({"email":"a@x"})");
  op.deleted = true;
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","active":true})").as_object(), 1);
  // Deactivate (default): the mapped record says inactive.
  EXPECT_EQ(plan_push(connector, op, store).changed,
            json::parse(R"({"active":false})").as_object());
  // Remove: a delete while the vendor holds the operator, nothing once the shadow is gone.
  connector.policy = DeletePolicy::remove;
  EXPECT_TRUE(plan_push(connector, op, store).remove);
  store.shadows().remove("glia_eu", "emp-1");
  EXPECT_FALSE(planner.needs_push(op, store));
}

TEST_F(PlannerTest, FullResyncSendsEverything) {
  store.shadows().save("glia_eu", "emp-1",
                       json::parse(R"({"email":"a@x","active":true})").as_object(), 1);
  auto plan = plan_push(connector, record(R"({"email":"a@x"})"), store, /*full_resync=*/true);
  EXPECT_EQ(plan.changed, json::parse(R"({"email":"a@x","active":true})").as_object());
}

}  // namespace
}  // namespace opsync
