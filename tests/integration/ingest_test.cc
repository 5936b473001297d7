// The ingest path end to end on librdkafka's mock cluster (a Kafka-protocol broker over real TCP):
// Kafka message -> decode -> reconcile -> SQLite, and invalid input -> dead-letter topic.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "app/daemon.h"
#include "events/event_decoder.h"
#include "ingest/ingest_batch.h"
#include "kafka/mock_cluster.h"
#include "reconcile/reconciler.h"
#include "store/sqlite.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace opsync {
namespace {

namespace json = boost::json;
using testing::run_until;
using testing::TempDir;

std::string event(const std::string& id, const std::string& type, const std::string& op,
                  const std::string& data_extra) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"hr/test","type":"operator.)" +
         type + R"(","data":{"operator_id":")" + op + "\"" + data_extra + "}}";
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster.create_topic("ops", 3);
    cluster.create_topic("ops.dlq", 1);
    Config c;
    c.kafka.brokers = {cluster.bootstraps()};
    c.kafka.topic = "ops";
    c.kafka.group_id = "opsync-test";
    c.kafka.dead_letter_topic = "ops.dlq";
    c.kafka.properties["log_level"] = "3";
    c.kafka.max_message_bytes = 4096;
    c.state.directory = dir.str();
    c.admin.listen = "127.0.0.1:0";
    daemon = std::make_unique<Daemon>(io, c);
    daemon->start();
    producer = std::make_unique<SimpleProducer>(cluster.bootstraps());
  }

  void TearDown() override {
    if (daemon) daemon->stop({});
  }

  void send(const std::string& key, const std::string& value,
            std::vector<MessageHeader> headers = {}) {
    producer->produce("ops", key, value, headers);
    ++sent;
  }

  void consume_all() {
    producer->flush();
    ASSERT_TRUE(run_until(io, [&] { return daemon->stats().ingest.consumed >= sent; }))
        << "consumed " << daemon->stats().ingest.consumed << " of " << sent;
  }

  std::optional<CanonicalOperator> record(const std::string& id) {
    return daemon->store().operators().load(id);
  }

  MockKafkaCluster cluster{1};
  TempDir dir;
  boost::asio::io_context io;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<SimpleProducer> producer;
  std::int64_t sent = 0;
};

TEST_F(IngestTest, EveryTypeAndModeProducesTheExpectedRecord) {
  send(
      "emp-1",
      event(
          "c1", "created", "emp-1",
          R"(,"revision":1,"attributes":{"email":"jane@example.com","phone":"+1 555 123 4567","teams":["sales"]})"));
  send("emp-1", event("u1", "updated", "emp-1",
                      R"(,"revision":2,"attributes":{"teams":["support"],"phone":null})"));
  send("emp-2", event("c2", "created", "emp-2",
                      R"(,"revision":1,"attributes":{"email":"a@example.com","role":"admin"})"));
  send("emp-2", event("u2", "updated", "emp-2",
                      R"(,"revision":2,"mode":"snapshot","attributes":{"email":"b@example.com"})"));
  send("emp-3",
       event("c3", "created", "emp-3", R"(,"revision":1,"attributes":{"email":"c@example.com"})"));
  send("emp-3", event("d3", "deleted", "emp-3", R"(,"revision":2)"));
  // Binary mode: attributes in ce_ headers, the value is `data`.
  send(
      "emp-4",
      R"({"operator_id":"emp-4","revision":1,"attributes":{"email":"d@example.com","active":true}})",
      {{"ce_specversion", "1.0"},
       {"ce_id", "b4"},
       {"ce_source", "hr/test"},
       {"ce_type", "operator.created"}});
  consume_all();

  auto e1 = record("emp-1");
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->revision, 2);
  EXPECT_EQ(e1->attributes.at("email"), "jane@example.com");
  EXPECT_EQ(e1->attributes.at("teams"), (json::array{"support"}));
  EXPECT_FALSE(e1->attributes.contains("phone"));

  auto e2 = record("emp-2");
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->attributes, (json::object{{"email", "b@example.com"}}));

  auto e3 = record("emp-3");
  ASSERT_TRUE(e3);
  EXPECT_TRUE(e3->deleted);

  auto e4 = record("emp-4");
  ASSERT_TRUE(e4);
  EXPECT_EQ(e4->attributes.at("active"), true);
  EXPECT_EQ(daemon->stats().ingest.applied, 7);
}

TEST_F(IngestTest, OutOfOrderStaleAndDuplicateEventsChangeNothing) {
  send("emp-1", event("a", "created", "emp-1",
                      R"(,"revision":5,"attributes":{"email":"five@example.com"})"));
  send("emp-1", event("b", "updated", "emp-1",
                      R"(,"revision":3,"attributes":{"email":"three@example.com"})"));
  send("emp-1", event("c", "updated", "emp-1",
                      R"(,"revision":5,"attributes":{"email":"again@example.com"})"));
  send("emp-1",
       event("a", "updated", "emp-1", R"(,"revision":9,"attributes":{"email":"dup@example.com"})"));
  // Without revision, `time` orders events.
  send("emp-2", event("t2", "created", "emp-2", R"(,"attributes":{"email":"new@example.com"})"));
  consume_all();
  auto r = record("emp-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attributes.at("email"), "five@example.com");
  EXPECT_EQ(r->revision, 5);
  const auto& c = daemon->stats().ingest;
  EXPECT_EQ(c.stale, 2);
  EXPECT_EQ(c.duplicate, 1);
  EXPECT_EQ(c.applied, 2);
}

TEST_F(IngestTest, InvalidEventsReachTheDeadLetterTopicWithTheirReason) {
  struct Case {
    std::string key, value, reason;
  };
  std::vector<Case> cases = {
      {"emp-1", "{not json", "invalid_json"},
      {"emp-1", event("x1", "promoted", "emp-1", ""), "unknown_type"},
      {"emp-1", event("x2", "updated", "emp-1", R"(,"attributes":{"phone":"call me"})"),
       "invalid_phone"},
      {"emp-1", event("x3", "updated", "emp-1", R"(,"attributes":{"email":"nope"})"),
       "invalid_email"},
      {"emp-1", event("x4", "updated", "emp-1", R"(,"attributes":{"active":"yes"})"), "wrong_type"},
      {"emp-1", event("x5", "updated", "emp-1", R"(,"attributes":{"timezone":"Mars/Olympus"})"),
       "invalid_timezone"},
      {"emp-1", event("x6", "updated", "emp-1", R"(,"attributes":{"role":"boss"})"),
       "invalid_enum"},
      {"emp-9", event("x7", "updated", "emp-1", R"(,"attributes":{})"), "key_mismatch"},
      {"emp-1",
       event("x9", "updated", "emp-1",
             R"(,"attributes":{"email":"a@example.com","email":"b@example.com"})"),
       "duplicate_key"},
      {"emp-1", std::string(5000, 'x'), "too_large"},
      {"", event("x8", "updated", "emp-1", ""), "missing_key"},
  };
  for (const auto& c : cases) send(c.key, c.value, {{"traceparent", "00-abc"}});
  consume_all();
  EXPECT_EQ(daemon->stats().ingest.invalid, static_cast<std::int64_t>(cases.size()));
  ASSERT_TRUE(run_until(io, [&] { return daemon->store().dead_letters().backlog() == 0; }));

  auto letters =
      read_topic(cluster.bootstraps(), "ops.dlq", cases.size(), std::chrono::seconds(20));
  ASSERT_EQ(letters.size(), cases.size());
  std::multiset<std::string> got, want;
  for (const auto& c : cases) want.insert(c.reason);
  for (const auto& m : letters) {
    std::map<std::string, std::string> h;
    for (const auto& hd : m.headers) h[hd.name] = hd.value;
    got.insert(h["opsync-dlq-reason"]);
    EXPECT_FALSE(h["opsync-dlq-detail"].empty());
    EXPECT_EQ(h["opsync-source-topic"], "ops");
    EXPECT_FALSE(h["opsync-source-partition"].empty());
    EXPECT_FALSE(h["opsync-source-offset"].empty());
    EXPECT_EQ(h["traceparent"], "00-abc") << "original headers are kept";
    // The original bytes are kept.
    bool matched = false;
    for (const auto& c : cases) matched |= (c.value == m.value && c.key == m.key);
    EXPECT_TRUE(matched) << m.value.substr(0, 80);
  }
  EXPECT_EQ(got, want);
}

// Issue 13: a binary-mode event with a header value that is not UTF-8 used to reach the
// dead-letter topic with no headers at all, its reason included. Headers are bytes.
TEST_F(IngestTest, ABinaryModeDeadLetterKeepsAHeaderThatIsNotUtf8ByteExact) {
  const std::string raw("\xff\xfe", 2);
  send("emp-5", R"({"operator_id":"emp-5","attributes":{"phone":"call me"}})",
       {{"ce_specversion", "1.0"},
        {"ce_id", "b5"},
        {"ce_source", "hr/test"},
        {"ce_type", "operator.updated"},
        {"traceparent", raw}});
  consume_all();
  ASSERT_TRUE(run_until(io, [&] { return daemon->store().dead_letters().backlog() == 0; }));
  auto letters = read_topic(cluster.bootstraps(), "ops.dlq", 1, std::chrono::seconds(20));
  ASSERT_EQ(letters.size(), 1u);
  std::map<std::string, std::string> h;
  for (const auto& hd : letters[0].headers) h[hd.name] = hd.value;
  EXPECT_EQ(h["traceparent"], raw);
  EXPECT_EQ(h["ce_id"], "b5");
  EXPECT_EQ(h["ce_type"], "operator.updated");
  EXPECT_EQ(h["opsync-dlq-reason"], "invalid_phone");
  EXPECT_FALSE(h["opsync-dlq-detail"].empty());
  EXPECT_EQ(h["opsync-source-topic"], "ops");
  EXPECT_FALSE(h["opsync-source-offset"].empty());
}

TEST_F(IngestTest, OffsetsAreStoredWithTheStateAndResumeFromIt) {
  for (int i = 0; i < 30; ++i) {
    send("emp-" + std::to_string(i % 5),
         event("e" + std::to_string(i), "updated", "emp-" + std::to_string(i % 5),
               R"(,"revision":)" + std::to_string(i + 1) +
                   R"(,"attributes":{"max_concurrent_chats":)" + std::to_string(i % 7) + "}"));
  }
  consume_all();
  auto offsets = daemon->store().progress().load_offsets("ops");
  std::int64_t total = 0;
  for (auto& [p, next] : offsets) total += next;
  EXPECT_EQ(total, 30);
}

// Everything a batch writes: canonical records, processed ids (seen as duplicates), dead
// letters, offsets and counters.
std::string snapshot(StateStore& store) {
  std::string out;
  store.operators().for_each([&](const CanonicalOperator& op) {
    out += "op " + op.id + " r" + std::to_string(op.revision) + "\n";
  });
  for (const auto& d : store.dead_letters().load(1000)) out += "dlq " + d.value + "\n";
  for (const auto& [p, next] : store.progress().load_offsets("ops"))
    out += "offset " + std::to_string(p) + " " + std::to_string(next) + "\n";
  for (const auto& [name, value] : store.progress().load_counters())
    out += "counter " + name + " " + std::to_string(value) + "\n";
  return out;
}

std::vector<ConsumedMessage> batch_of(std::int64_t from, std::int64_t to) {
  std::vector<ConsumedMessage> out;
  for (std::int64_t i = from; i < to; ++i) {
    ConsumedMessage m;
    m.topic = "ops";
    m.offset = i;
    m.has_key = true;
    m.key = "emp-" + std::to_string(i);
    m.value = i % 3 == 2 ? std::string("not json")
                         : event("e" + std::to_string(i), "created", m.key,
                                 R"(,"revision":1,"attributes":{"email":"a@example.com"})");
    out.push_back(std::move(m));
  }
  return out;
}

// The store failing half way through a batch (after its records and dead letters were written,
// when the offsets are stored) leaves nothing of the batch, and the same batch applies cleanly
// once the fault is gone: as if it had been consumed again.
TEST(IngestBatchTest, AStoreFailureHalfWayLeavesTheStoreAsItWas) {
  TempDir dir;
  std::string before;
  {
    StateStore store(dir.str());
    EventDecoder decoder{DecoderLimits{}};
    Reconciler reconciler(store, {});
    IngestBatch batch(store, decoder, reconciler);
    batch.apply(batch_of(0, 6), 1);
    before = snapshot(store);
    {
      sqlite::Connection raw(store.path());
      raw.exec(
          "CREATE TRIGGER fail_offsets BEFORE UPDATE ON offsets "
          "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    }
    EXPECT_THROW(batch.apply(batch_of(6, 12), 2), sqlite::SqliteError);
    EXPECT_FALSE(store.in_transaction());
    EXPECT_EQ(snapshot(store), before);
    {
      sqlite::Connection raw(store.path());
      raw.exec("DROP TRIGGER fail_offsets");
    }
    const IngestResult again = batch.apply(batch_of(6, 12), 3);
    EXPECT_EQ(again.counts.applied, 4);
    EXPECT_EQ(again.counts.invalid, 2);
    EXPECT_EQ(again.counts.duplicate, 0);
  }
  StateStore reopened(dir.str());
  EXPECT_EQ(reopened.operators().count(), 8);
  EXPECT_EQ(reopened.dead_letters().backlog(), 4);
  EXPECT_EQ(reopened.progress().load_offsets("ops").at(0), 12);
}

}  // namespace
}  // namespace opsync
