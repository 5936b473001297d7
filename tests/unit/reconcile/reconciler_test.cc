#include "reconcile/reconciler.h"

#include <gtest/gtest.h>

#include "store/state_store.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

namespace json = boost::json;

// Needs a push whenever the record's email differs from the last one it "acknowledged".
class EmailPlanner : public PushPlanner {
 public:
  const std::string& connector_name() const override { return name_; }
  bool needs_push(const CanonicalOperator& op, StateStore&) override {
    auto it = op.attributes.find("email");
    std::string email = it == op.attributes.end() ? "" : std::string(it->value().as_string());
    return email != acknowledged;
  }
  std::string acknowledged;

 private:
  std::string name_ = "glia";
};

OperatorEvent event(std::string id, EventType type, EventMode mode, json::object attrs,
                    std::optional<std::int64_t> revision = std::nullopt,
                    std::optional<std::int64_t> time_ms = std::nullopt) {
  OperatorEvent e;
  e.event_id = std::move(id);
  e.source = "hr/test";
  e.type = type;
  e.mode = mode;
  e.operator_id = "emp-1";
  e.revision = revision;
  e.time_ms = time_ms;
  e.attributes = std::move(attrs);
  return e;
}

class ReconcilerTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  StateStore store{dir.str()};
  EmailPlanner planner;
  Reconciler reconciler{store, {&planner}};

  ApplyResult apply(const OperatorEvent& e) { return reconciler.apply(e, 1000); }
  CanonicalOperator record() { return *store.operators().load("emp-1"); }
};

TEST_F(ReconcilerTest, CreatedSnapshotThenPatchThenClear) {
  auto r = apply(event("e1", EventType::created, EventMode::snapshot,
                       {{"email", "a@x.io"}, {"phone", "+15551234567"}}, 1));
  EXPECT_EQ(r.outcome, ApplyOutcome::applied);
  EXPECT_EQ(r.pushes_queued, 1);
  EXPECT_EQ(store.outbox().size("glia"), 1);

  r = apply(
      event("e2", EventType::updated, EventMode::patch, {{"phone", nullptr}, {"active", true}}, 2));
  EXPECT_EQ(r.outcome, ApplyOutcome::applied);
  auto op = record();
  EXPECT_FALSE(op.attributes.contains("phone"));
  EXPECT_EQ(op.attributes.at("active"), true);
  EXPECT_EQ(op.attributes.at("email"), "a@x.io");
  EXPECT_EQ(op.revision, 2);
}

TEST_F(ReconcilerTest, SnapshotReplacesTheWholeRecord) {
  apply(event("e1", EventType::created, EventMode::snapshot,
              {{"email", "a@x.io"}, {"role", "admin"}}, 1));
  apply(event("e2", EventType::updated, EventMode::snapshot, {{"email", "b@x.io"}}, 2));
  auto op = record();
  EXPECT_EQ(op.attributes.size(), 1u);
  EXPECT_EQ(op.attributes.at("email"), "b@x.io");
}

TEST_F(ReconcilerTest, StaleAndDuplicateEventsChangeNothing) {
  apply(event("e1", EventType::created, EventMode::snapshot, {{"email", "a@x.io"}}, 5));
  auto r = apply(event("e2", EventType::updated, EventMode::patch, {{"email", "old@x.io"}}, 4));
  EXPECT_EQ(r.outcome, ApplyOutcome::stale);
  EXPECT_NE(r.reason.find("revision 4"), std::string::npos);
  r = apply(event("e3", EventType::updated, EventMode::patch, {{"email", "same-rev@x.io"}}, 5));
  EXPECT_EQ(r.outcome, ApplyOutcome::stale);
  r = apply(event("e1", EventType::updated, EventMode::patch, {{"email", "dup@x.io"}}, 9));
  EXPECT_EQ(r.outcome, ApplyOutcome::duplicate);
  EXPECT_EQ(record().attributes.at("email"), "a@x.io");
  EXPECT_EQ(record().revision, 5);
}

TEST_F(ReconcilerTest, WithoutRevisionTimeOrdersEvents) {
  apply(event("e1", EventType::created, EventMode::snapshot, {{"email", "a@x.io"}}, std::nullopt,
              2000));
  auto r = apply(event("e2", EventType::updated, EventMode::patch, {{"email", "old@x.io"}},
                       std::nullopt, 1000));
  EXPECT_EQ(r.outcome, ApplyOutcome::stale);
  r = apply(event("e3", EventType::updated, EventMode::patch, {{"email", "new@x.io"}}, std::nullopt,
                  3000));
  EXPECT_EQ(r.outcome, ApplyOutcome::applied);
  EXPECT_EQ(record().attributes.at("email"), "new@x.io");
}

TEST_F(ReconcilerTest, WithoutRevisionOrTimeArrivalOrderWins) {
  apply(event("e1", EventType::created, EventMode::snapshot, {{"email", "a@x.io"}}));
  apply(event("e2", EventType::updated, EventMode::patch, {{"email", "b@x.io"}}));
  EXPECT_EQ(record().attributes.at("email"), "b@x.io");
}

TEST_F(ReconcilerTest, NoChangeMeansNoPush) {
  apply(event("e1", EventType::created, EventMode::snapshot, {{"email", "a@x.io"}}, 1));
  store.outbox().complete("glia", "emp-1", 1, 0);
  planner.acknowledged = "a@x.io";
  auto r = apply(event("e2", EventType::updated, EventMode::patch, {{"email", "a@x.io"}}, 2));
  EXPECT_EQ(r.outcome, ApplyOutcome::unchanged);
  EXPECT_EQ(store.outbox().size("glia"), 0);
  EXPECT_EQ(record().revision, 2);
}

TEST_F(ReconcilerTest, BurstCoalescesIntoOnePendingPush) {
  for (int i = 1; i <= 50; ++i) {
    apply(event("e" + std::to_string(i), EventType::updated, EventMode::patch,
                {{"email", "v" + std::to_string(i) + "@x.io"}}, i));
  }
  EXPECT_EQ(store.outbox().size("glia"), 1);
  EXPECT_EQ(store.outbox().load_entry("glia", "emp-1")->generation, 50);
}

TEST_F(ReconcilerTest, DeleteMarksDeletedAndCreateRevives) {
  apply(event("e1", EventType::created, EventMode::snapshot, {{"email", "a@x.io"}}, 1));
  apply(event("e2", EventType::deleted, EventMode::patch, {}, 2));
  EXPECT_TRUE(record().deleted);
  EXPECT_EQ(record().attributes.at("email"), "a@x.io");
  apply(event("e3", EventType::updated, EventMode::patch, {{"role", "admin"}}, 3));
  EXPECT_TRUE(record().deleted);
  apply(event("e4", EventType::created, EventMode::snapshot, {{"email", "c@x.io"}}, 4));
  EXPECT_FALSE(record().deleted);
}

TEST_F(ReconcilerTest, UpdateForUnknownOperatorCreatesIt) {
  auto r = apply(event("e1", EventType::updated, EventMode::patch, {{"email", "a@x.io"}}, 7));
  EXPECT_EQ(r.outcome, ApplyOutcome::applied);
  EXPECT_EQ(record().revision, 7);
}

}  // namespace
}  // namespace opsync
