// OutcomeRecorder: what each push outcome does to the store, without lanes.

#include "dispatch/push_outcome.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "dispatch/push_plan.h"
#include "store/state_store.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'000'000;

class OutcomeTest : public ::testing::Test {
 protected:
  // A pending push for emp-1 at "glia", as the lane loads it before sending.
  OutboxEntry pending() {
    Transaction tx(store);
    store.outbox().upsert("glia", "emp-1", 10);
    tx.commit();
    return *store.outbox().load_entry("glia", "emp-1");
  }
  void put_shadow(std::string_view fields) {
    Transaction tx(store);
    store.shadows().save("glia", "emp-1", json::parse(fields).as_object(), 10);
    tx.commit();
  }

  testing::TempDir dir;
  StateStore store{dir.str()};
  OutcomeRecorder outcomes{store, [] { return kNow; }, 7};
};

TEST_F(OutcomeTest, AcceptedMergesTheAcknowledgedFieldsLearnsTheVendorIdAndCompletes) {
  put_shadow(R"({"email":"old@x","phone":"+1"})");
  const OutboxEntry entry = pending();
  PushPlan plan;
  plan.desired = json::parse(R"({"email":"new@x","phone":"+1"})").as_object();
  plan.changed = json::parse(R"({"email":"new@x"})").as_object();
  PushResult result;
  result.vendor_id = "g-1";

  EXPECT_EQ(outcomes.accepted(entry, plan, result), std::nullopt);
  EXPECT_EQ(store.shadows().load("glia", "emp-1"),
            json::parse(R"({"email":"new@x","phone":"+1"})").as_object());
  EXPECT_EQ(store.shadows().load_vendor_id("glia", "emp-1"), "g-1");
  EXPECT_FALSE(store.outbox().load_entry("glia", "emp-1"));
  EXPECT_FALSE(store.in_transaction());
}

TEST_F(OutcomeTest, AcceptedAfterALaterChangeLeavesTheEntryDueNow) {
  const OutboxEntry entry = pending();
  {
    Transaction tx(store);
    store.outbox().upsert("glia", "emp-1", 20, /*full_resync=*/true);  // generation 2
    store.outbox().schedule_retry("glia", "emp-1", 3, 99, "HTTP 503");
    tx.commit();
  }
  PushPlan plan;
  plan.desired = plan.changed = json::parse(R"({"email":"a@x"})").as_object();

  EXPECT_EQ(outcomes.accepted(entry, plan, PushResult{}), kNow);
  const auto left = store.outbox().load_entry("glia", "emp-1");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->generation, 2);
  EXPECT_EQ(left->attempts, 0);
  EXPECT_EQ(left->next_attempt_ms, kNow);
  EXPECT_EQ(left->last_error, "");
  // The resync came after the push of generation 1 started: it is still owed (issue 12 defect 1).
  EXPECT_TRUE(left->full_resync);
}

TEST_F(OutcomeTest, AcceptedRemovalDeletesTheShadow) {
  put_shadow(R"({"email":"old@x"})");
  const OutboxEntry entry = pending();
  PushPlan plan;
  plan.remove = true;
  EXPECT_EQ(outcomes.accepted(entry, plan, PushResult{}), std::nullopt);
  EXPECT_FALSE(store.shadows().load("glia", "emp-1"));
}

TEST_F(OutcomeTest, RetryWaitsAtLeastAsLongAsTheVendorAsked) {
  const OutboxEntry entry = pending();
  const BackoffConfig backoff{.base = 100ms, .cap = 1'000ms, .max_delay = 600'000ms};
  PushResult result;
  result.outcome = PushOutcome::retry;
  result.status = 503;
  result.message = "busy";
  result.retry_after = 20s;

  EXPECT_EQ(outcomes.retry(entry, backoff, result), kNow + 20'000);
  const auto e = store.outbox().load_entry("glia", "emp-1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->attempts, 1);
  EXPECT_EQ(e->next_attempt_ms, kNow + 20'000);
  EXPECT_EQ(e->last_error, "HTTP 503: busy");
  EXPECT_EQ(e->generation, entry.generation);
}

TEST_F(OutcomeTest, RetryBacksOffWithinTheCeilingAndMaxDelay) {
  OutboxEntry entry = pending();
  const BackoffConfig backoff{.base = 100ms, .cap = 1'000ms, .max_delay = 3'000ms};
  PushResult result;
  result.outcome = PushOutcome::retry;
  for (std::int64_t attempts : {0, 1, 2, 10}) {
    entry.attempts = attempts;
    const NextDue due = outcomes.retry(entry, backoff, result);
    ASSERT_TRUE(due);
    const auto ceiling = backoff_ceiling(backoff, static_cast<unsigned>(attempts)).count();
    EXPECT_GE(*due, kNow);
    EXPECT_LE(*due, kNow + ceiling);
    EXPECT_EQ(store.outbox().load_entry("glia", "emp-1")->attempts, attempts + 1);
  }
  result.retry_after = 3'600s;  // the vendor asks for an hour; max_delay bounds it
  EXPECT_EQ(outcomes.retry(entry, backoff, result), kNow + 3'000);
  result.status = 0;
  EXPECT_EQ(OutcomeRecorder::retry_message(result), "no response");
}

TEST_F(OutcomeTest, DeadLetterIsQueuedWithTheCompletion) {
  const OutboxEntry entry = pending();
  EXPECT_EQ(outcomes.dead_letter(entry, DeadLetter{0, "emp-1", "{}", {}}), std::nullopt);
  EXPECT_EQ(store.dead_letters().backlog(), 1);
  EXPECT_EQ(store.dead_letters().load(10).at(0).key, "emp-1");
  EXPECT_FALSE(store.outbox().load_entry("glia", "emp-1"));
}

// Issue 12 defect 5: an unknown outcome puts the vendor's state in doubt; a refusal keeps the
// doubt, a diff push accepted keeps it, and only an accepted full push resolves it.
TEST_F(OutcomeTest, ADoubtIsSetByARetryKeptByARefusalAndClearedByAnAcceptedFullPush) {
  PushResult lost;
  lost.outcome = PushOutcome::retry;
  outcomes.retry(pending(), BackoffConfig{}, lost);
  EXPECT_TRUE(store.doubts().contains("glia", "emp-1"));
  outcomes.dead_letter(*store.outbox().load_entry("glia", "emp-1"),
                       DeadLetter{0, "emp-1", "{}", {}});
  EXPECT_TRUE(store.doubts().contains("glia", "emp-1"));

  PushPlan diff;
  diff.desired = diff.changed = json::parse(R"({"email":"a@x"})").as_object();
  outcomes.accepted(pending(), diff, PushResult{});
  EXPECT_TRUE(store.doubts().contains("glia", "emp-1"));
  PushPlan full = diff;
  full.full = true;
  outcomes.accepted(pending(), full, PushResult{});
  EXPECT_FALSE(store.doubts().contains("glia", "emp-1"));
}

// Issue 12 defect 2: a vendor id the vendor no longer has is forgotten with the shadow; the
// entry stays for the push that resolves the operator again.
TEST_F(OutcomeTest, AGoneVendorIdIsForgottenWithTheShadow) {
  put_shadow(R"({"email":"a@x"})");
  {
    Transaction tx(store);
    store.shadows().save_vendor_id("glia", "emp-1", "g-dead");
    tx.commit();
  }
  const OutboxEntry entry = pending();
  outcomes.vendor_id_gone(entry);
  EXPECT_FALSE(store.shadows().load_vendor_id("glia", "emp-1"));
  EXPECT_FALSE(store.shadows().load("glia", "emp-1"));
  EXPECT_TRUE(store.outbox().load_entry("glia", "emp-1"));
}

TEST_F(OutcomeTest, NothingToSendCompletes) {
  const OutboxEntry entry = pending();
  EXPECT_EQ(outcomes.nothing_to_send(entry), std::nullopt);
  EXPECT_FALSE(store.outbox().load_entry("glia", "emp-1"));
  EXPECT_EQ(store.dead_letters().backlog(), 0);
}

TEST_F(OutcomeTest, AStoreFailureHalfWayChangesNothing) {
  put_shadow(R"({"email":"old@x"})");
  const OutboxEntry entry = pending();
  {
    sqlite::Connection raw(store.path());
    raw.exec(
        "CREATE TRIGGER fail_complete BEFORE DELETE ON outbox "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  }
  PushPlan plan;
  plan.desired = plan.changed = json::parse(R"({"email":"new@x"})").as_object();
  PushResult result;
  result.vendor_id = "g-1";
  EXPECT_THROW(outcomes.accepted(entry, plan, result), sqlite::SqliteError);
  EXPECT_THROW(outcomes.dead_letter(entry, DeadLetter{0, "emp-1", "{}", {}}), sqlite::SqliteError);
  EXPECT_FALSE(store.in_transaction());
  EXPECT_EQ(store.shadows().load("glia", "emp-1"), json::parse(R"({"email":"old@x"})").as_object());
  EXPECT_FALSE(store.shadows().load_vendor_id("glia", "emp-1"));
  EXPECT_EQ(store.dead_letters().backlog(), 0);
  EXPECT_TRUE(store.outbox().load_entry("glia", "emp-1"));
}

}  // namespace
}  // namespace opsync
