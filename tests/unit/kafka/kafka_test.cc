// daemon/kafka on its own, against librdkafka's mock cluster (a Kafka-protocol broker in this
// process, no ingest path): what the consumer hands over, where it starts, how configuration
// errors read, and the dead-letter publisher's store-to-topic hand-off.

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "kafka/dead_letter_publisher.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_util.h"
#include "kafka/mock_cluster.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace opsync {
namespace {

using testing::run_until;

// Bounds a wait that includes the mock cluster's consumer-group join, which can stall for tens of
// seconds on a busy machine; a passing test waits a few seconds.
constexpr std::chrono::seconds kJoin{120};

KafkaOptions options(const MockKafkaCluster& cluster, const std::string& group) {
  KafkaOptions o;
  o.brokers = cluster.bootstraps();
  o.topic = "ops";
  o.group_id = group;
  o.dead_letter_topic = "ops.dlq";
  o.properties = {{"log_level", "3"}, {"topic.metadata.refresh.interval.ms", "300"}};
  return o;
}

std::string header(const std::vector<MessageHeader>& headers, const std::string& name) {
  auto it = std::find_if(headers.begin(), headers.end(),
                         [&](const MessageHeader& h) { return h.name == name; });
  return it == headers.end() ? "<absent>" : it->value;
}

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster.create_topic("ops", 1);
    cluster.create_topic("ops.dlq", 1);
  }
  // Stores `letters` in one transaction, in order (what ingest and the dispatcher do).
  void enqueue(const std::vector<DeadLetter>& letters) {
    Transaction tx(store);
    std::int64_t now = 1000;
    for (const auto& d : letters) store.dead_letters().enqueue(d, now++);
    tx.commit();
  }

  // A publisher over `store`, started and woken.
  std::unique_ptr<DeadLetterPublisher> publish(const KafkaOptions& o) {
    auto publisher = std::make_unique<DeadLetterPublisher>(io, o, store);
    publisher->start();
    publisher->wake();
    return publisher;
  }

  MockKafkaCluster cluster{1};
  boost::asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
};

TEST_F(KafkaTest, TheConsumerCopiesKeyValueHeadersAndOffsets) {
  SimpleProducer producer(cluster.bootstraps());
  producer.produce("ops", "emp-1", "one", {{"ce_id", "a"}, {"trace", "t1"}});
  producer.produce("ops", "emp-2", "two");
  producer.flush();
  std::vector<ConsumedMessage> seen;
  KafkaConsumer consumer(
      io, options(cluster, "copy"),
      [&](std::vector<ConsumedMessage>& batch) {
        seen.insert(seen.end(), batch.begin(), batch.end());
      },
      [](const std::string&) { return std::map<std::int32_t, std::int64_t>{}; });
  consumer.start();
  ASSERT_TRUE(run_until(
      io, [&] { return seen.size() == 2; }, kJoin));
  EXPECT_TRUE(consumer.subscribed());
  EXPECT_EQ(consumer.assigned_partitions(), 1u);
  EXPECT_EQ(seen[0].topic, "ops");
  EXPECT_EQ(seen[0].offset, 0);
  EXPECT_TRUE(seen[0].has_key);
  EXPECT_EQ(seen[0].key, "emp-1");
  EXPECT_EQ(seen[0].value, "one");
  EXPECT_EQ(header(seen[0].headers, "ce_id"), "a");
  EXPECT_EQ(header(seen[0].headers, "trace"), "t1");
  EXPECT_EQ(seen[1].offset, 1);
  EXPECT_TRUE(seen[1].headers.empty());
  consumer.close();
}

TEST_F(KafkaTest, TheConsumerStartsFromTheStoredOffsetNotTheGroups) {
  SimpleProducer producer(cluster.bootstraps());
  for (int i = 0; i < 5; ++i) producer.produce("ops", "emp-1", "v" + std::to_string(i));
  producer.flush();
  std::vector<std::int64_t> offsets;
  KafkaConsumer consumer(
      io, options(cluster, "stored"),
      [&](std::vector<ConsumedMessage>& batch) {
        for (const auto& m : batch) offsets.push_back(m.offset);
      },
      [](const std::string& topic) {
        EXPECT_EQ(topic, "ops");
        return std::map<std::int32_t, std::int64_t>{{0, 3}};
      });
  consumer.start();
  ASSERT_TRUE(run_until(
      io, [&] { return offsets.size() >= 2; }, kJoin));
  run_until(
      io, [] { return false; }, std::chrono::milliseconds(300));  // nothing else arrives
  EXPECT_EQ(offsets, (std::vector<std::int64_t>{3, 4}));
  consumer.close();
}

// librdkafka leaves the group when rd_kafka_consumer_poll() is not called for
// max.poll.interval.ms; an idle consumer (nothing arrives, so the queue's pipe never fires) and a
// paused one (a reload draining) must still poll. A short interval makes the quiet period short.
TEST_F(KafkaTest, AQuietOrPausedConsumerStaysInItsGroup) {
  auto o = options(cluster, "quiet");
  // The smallest interval the mock cluster's group join allows (it waits 3 s for members, and a
  // JoinGroup times out after the interval plus 3 s).
  o.properties["max.poll.interval.ms"] = "4000";
  o.properties["session.timeout.ms"] = "4000";
  o.properties["heartbeat.interval.ms"] = "500";
  std::vector<std::string> seen;
  KafkaConsumer consumer(
      io, o,
      [&](std::vector<ConsumedMessage>& batch) {
        for (const auto& m : batch) seen.push_back(m.value);
      },
      [](const std::string&) { return std::map<std::int32_t, std::int64_t>{}; });
  consumer.start();
  ASSERT_TRUE(run_until(
      io, [&] { return consumer.assigned_partitions() == 1; }, kJoin));
  const auto rebalances = consumer.rebalances();

  run_until(
      io, [] { return false; }, std::chrono::seconds(10));  // quiet: 2.5 intervals
  SimpleProducer producer(cluster.bootstraps());
  producer.produce("ops", "emp-1", "after-quiet");
  producer.flush();
  ASSERT_TRUE(run_until(io, [&] { return seen.size() == 1; }));

  consumer.pause();
  run_until(
      io, [] { return false; }, std::chrono::seconds(6));
  producer.produce("ops", "emp-1", "while-paused");
  producer.flush();
  run_until(
      io, [] { return false; }, std::chrono::seconds(2));
  EXPECT_EQ(seen.size(), 1u) << "nothing is applied while paused";
  consumer.resume();
  ASSERT_TRUE(run_until(io, [&] { return seen.size() == 2; }));
  run_until(
      io, [] { return false; }, std::chrono::milliseconds(500));

  EXPECT_EQ(seen, (std::vector<std::string>{"after-quiet", "while-paused"}));
  EXPECT_EQ(consumer.rebalances(), rebalances) << "the consumer left its group and rejoined";
  EXPECT_EQ(consumer.assigned_partitions(), 1u);
  consumer.close();
}

TEST_F(KafkaTest, ABadPropertyIsNamedButItsValueIsNot) {
  KafkaConf conf;
  try {
    conf.set("no.such.property", "hunter2-secret");
    FAIL() << "an unknown property was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.property"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2-secret"), std::string::npos) << e.what();
  }
}

TEST_F(KafkaTest, ADeadLetterLeavesTheStoreOnlyOncePublished) {
  DeadLetter d;
  d.key = "emp-1";
  d.value = "{not json";
  d.headers = {{"opsync-dlq-reason", "invalid_json"}};
  enqueue({d});
  auto publisher = publish(options(cluster, "dlq"));
  ASSERT_TRUE(run_until(io, [&] { return store.dead_letters().backlog() == 0; }));
  EXPECT_EQ(publisher->published(), 1);
  auto read = read_topic(cluster.bootstraps(), "ops.dlq", 1, std::chrono::seconds(10));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].key, "emp-1");
  EXPECT_EQ(read[0].value, "{not json");
  EXPECT_EQ(header(read[0].headers, "opsync-dlq-reason"), "invalid_json");
  publisher->flush(std::chrono::seconds(5));
}

// An oversize value (over the producer's message.max.bytes) used to be refused on every attempt,
// and every later dead letter waited behind it forever.
TEST_F(KafkaTest, AnOversizeDeadLetterIsTruncatedAndDoesNotBlockTheNext) {
  DeadLetter big;
  big.key = "emp-big";
  big.value = std::string(2 * 1024 * 1024, 'x');
  big.headers = {{"opsync-dlq-reason", "too_large"}, {"ce_id", "a1"}};
  DeadLetter small;
  small.key = "emp-small";
  small.value = "{not json";
  small.headers = {{"opsync-dlq-reason", "invalid_json"}};
  enqueue({big, small});
  auto publisher = publish(options(cluster, "dlq"));
  ASSERT_TRUE(run_until(
      io, [&] { return store.dead_letters().backlog() == 0; }, std::chrono::seconds(10)));
  auto read = read_topic(cluster.bootstraps(), "ops.dlq", 2, std::chrono::seconds(10));
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].key, "emp-big");
  EXPECT_LT(read[0].value.size(), 1000000u);
  EXPECT_EQ(read[0].value, big.value.substr(0, read[0].value.size())) << "a prefix";
  EXPECT_EQ(header(read[0].headers, "opsync-dlq-reason"), "too_large");
  EXPECT_EQ(header(read[0].headers, "ce_id"), "a1");
  EXPECT_EQ(header(read[0].headers, "opsync-dlq-truncated"), std::to_string(2 * 1024 * 1024));
  // sha256 of 2 MiB of 'x'.
  EXPECT_EQ(header(read[0].headers, "opsync-dlq-original-sha256"),
            "6932fd31e5daf4739b9fa78ff777b2831b0995cc1d0b0093cac80601902013bc");
  EXPECT_EQ(read[1].key, "emp-small");
  EXPECT_EQ(read[1].value, "{not json");
  EXPECT_EQ(header(read[1].headers, "opsync-dlq-truncated"), "<absent>");
  EXPECT_EQ(publisher->published(), 2);
  publisher->flush(std::chrono::seconds(5));
}

// A row the producer refuses for good (here: a key over message.max.bytes, which no truncation of
// the value fixes) is counted, kept in the store marked unpublishable, and skipped.
TEST_F(KafkaTest, AnUnpublishableDeadLetterIsCountedAndSkipped) {
  auto o = options(cluster, "dlq");
  o.properties["message.max.bytes"] = "10000";
  DeadLetter bad;
  bad.key = std::string(20000, 'k');
  bad.value = "v";
  bad.headers = {{"opsync-dlq-reason", "too_large"}};
  DeadLetter good;
  good.key = "emp-2";
  good.value = "fine";
  good.headers = {{"opsync-dlq-reason", "invalid_json"}};
  enqueue({bad, good});
  auto publisher = publish(o);
  ASSERT_TRUE(run_until(
      io, [&] { return store.dead_letters().backlog() == 0; }, std::chrono::seconds(10)));
  auto read = read_topic(cluster.bootstraps(), "ops.dlq", 1, std::chrono::seconds(10));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].key, "emp-2");
  EXPECT_EQ(publisher->published(), 1);
  EXPECT_EQ(publisher->unpublishable(), 1);
  EXPECT_EQ(store.dead_letters().unpublishable(), 1) << "kept in the store, marked";
  EXPECT_TRUE(store.dead_letters().load(10).empty());
  publisher->flush(std::chrono::seconds(5));
}

// Headers are bytes. The store used to keep them as JSON, which does not take a value that is not
// UTF-8: such a dead letter reached the topic with no headers at all, its reason included.
TEST_F(KafkaTest, AHeaderThatIsNotUtf8ReachesTheTopicByteExactWithTheOthers) {
  DeadLetter d;
  d.key = "emp-1";
  d.value = "{}";
  const std::string raw("\xff\xfe\x00z", 4);
  d.headers = {{"ce_id", "a1"}, {"ce_trace", raw}, {"opsync-dlq-reason", "invalid_header"}};
  enqueue({d});
  auto publisher = publish(options(cluster, "dlq"));
  ASSERT_TRUE(run_until(io, [&] { return store.dead_letters().backlog() == 0; }));
  auto read = read_topic(cluster.bootstraps(), "ops.dlq", 1, std::chrono::seconds(10));
  ASSERT_EQ(read.size(), 1u);
  ASSERT_EQ(read[0].headers.size(), 3u);
  EXPECT_EQ(header(read[0].headers, "ce_id"), "a1");
  EXPECT_EQ(header(read[0].headers, "ce_trace"), raw);
  EXPECT_EQ(header(read[0].headers, "opsync-dlq-reason"), "invalid_header");
  publisher->flush(std::chrono::seconds(5));
}

}  // namespace
}  // namespace opsync
