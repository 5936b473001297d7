// IngestBatch on its own: a batch of consumed messages against a real store, decoder and
// reconciler (no Kafka): what is applied, dead-lettered and counted, which offsets are recorded.

#include "ingest/ingest_batch.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "events/event_decoder.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

/// Every applied change needs a push to "vendor".
class AlwaysPush final : public PushPlanner {
 public:
  const std::string& connector_name() const override { return name_; }
  bool needs_push(const CanonicalOperator&, StateStore&) override { return true; }

 private:
  std::string name_ = "vendor";
};

std::string event(const std::string& id, const std::string& event_id, int revision,
                  const std::string& email) {
  return R"({"specversion":"1.0","id":")" + event_id +
         R"(","source":"hr/test","type":"operator.updated","data":{"operator_id":")" + id +
         R"(","revision":)" + std::to_string(revision) + R"(,"attributes":{"email":")" + email +
         R"("}}})";
}

ConsumedMessage message(std::int32_t partition, std::int64_t offset, const std::string& key,
                        std::string value) {
  ConsumedMessage m;
  m.topic = "ops";
  m.partition = partition;
  m.offset = offset;
  m.key = key;
  m.has_key = true;
  m.value = std::move(value);
  return m;
}

std::string header(const DeadLetter& d, const std::string& name) {
  auto it = std::find_if(d.headers.begin(), d.headers.end(),
                         [&](const MessageHeader& h) { return h.name == name; });
  return it == d.headers.end() ? "<absent>" : it->value;
}

class IngestBatchTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  StateStore store{dir.str()};
  EventDecoder decoder{DecoderLimits{}};
  AlwaysPush planner;
  Reconciler reconciler{store, {&planner}};
  IngestBatch ingest{store, decoder, reconciler};
};

TEST_F(IngestBatchTest, AppliesCountsAndRecordsTheNextOffsetPerPartition) {
  std::vector<ConsumedMessage> batch = {
      message(0, 10, "emp-1", event("emp-1", "e1", 1, "a@example.com")),
      message(1, 4, "emp-2", event("emp-2", "e2", 1, "b@example.com")),
      message(0, 11, "emp-1", event("emp-1", "e1", 1, "a@example.com")),  // the same id again
      message(0, 12, "emp-1", event("emp-1", "e3", 1, "c@example.com")),  // not a newer revision
  };
  IngestResult r = ingest.apply(batch, 1000);
  EXPECT_EQ(r.counts.consumed, 4);
  EXPECT_EQ(r.counts.applied, 2);
  EXPECT_EQ(r.counts.duplicate, 1);
  EXPECT_EQ(r.counts.stale, 1);
  EXPECT_EQ(r.counts.invalid, 0);
  EXPECT_EQ((r.next_offsets.at({"ops", 0})), 13);
  EXPECT_EQ((r.next_offsets.at({"ops", 1})), 5);
  EXPECT_EQ(store.progress().load_offsets("ops"),
            (std::map<std::int32_t, std::int64_t>{{0, 13}, {1, 5}}));
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(r.queued_pushes, (std::vector<Pair>{{"vendor", "emp-1"}, {"vendor", "emp-2"}}));
  EXPECT_EQ(store.outbox().size("vendor"), 2);
  EXPECT_EQ(store.operators().load("emp-1")->attributes.at("email"), "a@example.com");
  EXPECT_EQ(store.progress().load_counters().at("events_consumed"), 4);
}

TEST_F(IngestBatchTest, AnInvalidMessageBecomesADeadLetterWithItsBytesAndWhy) {
  auto bad = message(2, 7, "emp-9", "{not json");
  bad.headers.push_back({"trace", "abc"});
  std::vector<ConsumedMessage> batch = {bad};
  IngestResult r = ingest.apply(batch, 1000);
  EXPECT_EQ(r.counts.invalid, 1);
  ASSERT_EQ(r.counts.invalid_by_reason.size(), 1u);
  EXPECT_EQ(store.progress().load_offsets("ops").at(2), 8) << "the offset moves past a bad message";
  auto letters = store.dead_letters().load(10);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "emp-9");
  EXPECT_EQ(letters[0].value, "{not json");
  EXPECT_EQ(header(letters[0], "trace"), "abc");
  EXPECT_EQ(header(letters[0], dlq_header::kReason), r.counts.invalid_by_reason.begin()->first);
  EXPECT_NE(header(letters[0], dlq_header::kDetail), "<absent>");
  EXPECT_EQ(header(letters[0], dlq_header::kSourceTopic), "ops");
  EXPECT_EQ(header(letters[0], dlq_header::kSourcePartition), "2");
  EXPECT_EQ(header(letters[0], dlq_header::kSourceOffset), "7");
}

TEST_F(IngestBatchTest, ANullKeyIsNotAnEmptyKey) {
  auto m = message(0, 0, "", event("emp-1", "e1", 1, "a@example.com"));
  m.has_key = false;
  std::vector<ConsumedMessage> batch = {m};
  IngestResult r = ingest.apply(batch, 1000);
  // A message without a key is refused (the key is the operator id), and its offset recorded.
  EXPECT_EQ(r.counts.invalid, 1);
  EXPECT_EQ(r.counts.invalid_by_reason.count("missing_key"), 1u);
  EXPECT_EQ(store.progress().load_offsets("ops").at(0), 1);
  EXPECT_FALSE(store.operators().load("emp-1"));
}

}  // namespace
}  // namespace opsync
