// End to end on a real Apache Kafka broker (KRaft, from Maven Central): the daemon as a process,
// the broker stopped and restarted mid-stream, the daemon killed with SIGKILL mid-stream, and a
// topic with many partitions. Every event is accounted for (applied, unchanged, stale, duplicate
// or dead-lettered) and the state equals an uninterrupted run's.

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include "broker.h"
#include "kafka/mock_cluster.h"
#include "support/process.h"
#include "support/reference_state.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::ChildProcess;
using testing::consumed_offsets;
using testing::KafkaBroker;
using testing::TempDir;

std::vector<SampleMessage> sample_stream(std::size_t events, std::size_t operators,
                                         std::uint64_t seed) {
  SampleOptions so;
  so.operators = operators;
  so.invalid_share = 0.02;
  so.seed = seed;
  SampleEventStream stream(so);
  std::vector<SampleMessage> out;
  for (std::size_t i = 0; i < events; ++i) out.push_back(stream.next());
  return out;
}

std::string write_config(const std::string& dir, const std::string& brokers) {
  const std::string path = dir + "/opsync.yaml";
  std::ofstream f(path);
  f << "kafka:\n  brokers: [\"" << brokers << "\"]\n  topic: ops\n  group_id: e2e\n"
    << "  dead_letter_topic: ops.dlq\n  properties:\n    log_level: \"4\"\n"
    << "    session.timeout.ms: \"6000\"\n    reconnect.backoff.max.ms: \"500\"\n"
    << "state:\n  directory: " << dir << "/state\n  batch_max_events: 250\n"
    << "admin:\n  listen: 127.0.0.1:0\n"
    << "logging:\n  level: info\n";
  return path;
}

bool wait_consumed(const std::string& db, std::int64_t target, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (consumed_offsets(db) < target) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void expect_same_as_reference(const std::string& state_dir,
                              const std::vector<SampleMessage>& messages) {
  TempDir reference_dir;
  StateStore reference(reference_dir.str());
  testing::apply_reference(reference, messages, "ops");
  StateStore got(state_dir);
  EXPECT_EQ(testing::dump_operators(got), testing::dump_operators(reference));
  auto a = got.progress().load_counters();
  auto b = reference.progress().load_counters();
  for (const char* name : testing::kEventCounters) EXPECT_EQ(a[name], b[name]) << name;
  EXPECT_EQ(a["events_consumed"], static_cast<std::int64_t>(messages.size()));
  EXPECT_EQ(a["events_applied"] + a["events_unchanged"] + a["events_stale"] +
                a["events_duplicate"] + a["events_invalid"],
            static_cast<std::int64_t>(messages.size()))
      << "every event is accounted for";
}

std::size_t invalid_count(const std::vector<SampleMessage>& messages) {
  std::size_t n = 0;
  for (const auto& m : messages) n += !m.valid;
  return n;
}

TEST(RealKafka, BrokerStoppedAndRestartedMidStream) {
  TempDir dir;
  KafkaBroker broker(dir.str() + "/kafka");
  const std::string brokers = broker.start();
  ASSERT_FALSE(brokers.empty());
  create_topic(brokers, "ops", 3);
  create_topic(brokers, "ops.dlq", 1);
  auto messages = sample_stream(4000, 250, 11);
  {
    SimpleProducer producer(brokers);
    for (const auto& m : messages) producer.produce("ops", m.key, m.value, m.headers);
    producer.flush();
  }
  const std::string config = write_config(dir.str(), brokers);
  const std::string db = dir.str() + "/state/opsync.db";
  ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config}, {}, dir.str() + "/opsyncd.log");
  ASSERT_TRUE(wait_consumed(db, 1000, std::chrono::seconds(60)))
      << "see " << dir.str() << "/opsyncd.log";
  broker.stop();
  const auto during_outage = consumed_offsets(db);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_FALSE(broker.start().empty());
  ASSERT_TRUE(
      wait_consumed(db, static_cast<std::int64_t>(messages.size()), std::chrono::seconds(120)))
      << "consumed " << consumed_offsets(db) << " (" << during_outage
      << " when the broker stopped)";
  // The dead-letter producer reconnects after the outage; its rows wait in the store meanwhile.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (testing::dead_letter_backlog(db) != 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(testing::dead_letter_backlog(db), 0) << "dead letters still waiting after 60 s";
  daemon.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(30), status));
  EXPECT_EQ(status, 0);
  expect_same_as_reference(dir.str() + "/state", messages);

  // Every invalid event reached the dead-letter topic, exactly once.
  auto letters =
      read_topic(brokers, "ops.dlq", invalid_count(messages) + 1, std::chrono::seconds(15));
  EXPECT_EQ(letters.size(), invalid_count(messages));
}

TEST(RealKafka, SigkillSeveralTimesAcrossManyPartitions) {
  TempDir dir;
  KafkaBroker broker(dir.str() + "/kafka");
  const std::string brokers = broker.start();
  ASSERT_FALSE(brokers.empty());
  create_topic(brokers, "ops", 12);
  create_topic(brokers, "ops.dlq", 1);
  auto messages = sample_stream(8000, 500, 12);
  {
    SimpleProducer producer(brokers);
    for (const auto& m : messages) producer.produce("ops", m.key, m.value, m.headers);
    producer.flush();
  }
  const std::string config = write_config(dir.str(), brokers);
  const std::string db = dir.str() + "/state/opsync.db";
  std::mt19937 rng(3);
  for (int round = 1; round <= 4; ++round) {
    ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config}, {}, dir.str() + "/opsyncd.log");
    const auto target = static_cast<std::int64_t>(messages.size()) * round / 5 + rng() % 300;
    ASSERT_TRUE(wait_consumed(db, target, std::chrono::seconds(90))) << "round " << round;
    daemon.signal(SIGKILL);
    EXPECT_EQ(daemon.wait(), 128 + SIGKILL);
  }
  ASSERT_LT(consumed_offsets(db), static_cast<std::int64_t>(messages.size()));
  {
    ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config}, {}, dir.str() + "/opsyncd.log");
    ASSERT_TRUE(
        wait_consumed(db, static_cast<std::int64_t>(messages.size()), std::chrono::seconds(120)));
    daemon.signal(SIGTERM);
    int status = -1;
    ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(30), status));
    EXPECT_EQ(status, 0);
  }
  expect_same_as_reference(dir.str() + "/state", messages);
  // A dead letter may be published twice if the daemon died between the broker's ack and the
  // store's delete (at-least-once); none may be missing.
  auto letters =
      read_topic(brokers, "ops.dlq", 10 * invalid_count(messages), std::chrono::seconds(10));
  std::set<std::string> distinct;
  for (const auto& l : letters) distinct.insert(l.value + "\x1f" + l.key);
  std::set<std::string> want;
  for (const auto& m : messages) {
    if (!m.valid) want.insert(m.value + "\x1f" + m.key);
  }
  EXPECT_EQ(distinct, want);
}

}  // namespace
}  // namespace opsync
