// A daemon killed with SIGKILL mid-stream and restarted, several times, ends with exactly the
// state of an uninterrupted run: same canonical records, same counts, nothing lost or doubled.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <fstream>
#include <random>
#include <thread>

#include "events/event_decoder.h"
#include "ingest/ingest_batch.h"
#include "kafka/mock_cluster.h"
#include "reconcile/reconciler.h"
#include "samples/sample_events.h"
#include "store/sqlite.h"
#include "store/state_store.h"
#include "support/process.h"
#include "support/reference_state.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::ChildProcess;
using testing::consumed_offsets;
using testing::TempDir;

TEST(CrashRestart, SigkillMidStreamEndsWithTheUninterruptedState) {
  constexpr std::size_t kEvents = 6000;
  MockKafkaCluster cluster(1);
  cluster.create_topic("ops", 4);
  cluster.create_topic("ops.dlq", 1);

  // The stream, and the reference state: the same messages applied in-process without a crash.
  SampleOptions so;
  so.operators = 300;
  so.invalid_share = 0.02;
  SampleEventStream stream(so);
  std::vector<SampleMessage> messages;
  for (std::size_t i = 0; i < kEvents; ++i) messages.push_back(stream.next());
  {
    SimpleProducer producer(cluster.bootstraps());
    for (const auto& m : messages) producer.produce("ops", m.key, m.value, m.headers);
    producer.flush();
  }
  TempDir reference_dir;
  StateStore reference(reference_dir.str());
  testing::apply_reference(reference, messages, "ops");

  TempDir dir;
  const std::string config_path = dir.str() + "/opsync.yaml";
  {
    std::ofstream f(config_path);
    f << "kafka:\n"
      << "  brokers: [\"" << cluster.bootstraps() << "\"]\n"
      << "  topic: ops\n  group_id: crash-test\n  dead_letter_topic: ops.dlq\n"
      << "  properties:\n    log_level: \"3\"\n    session.timeout.ms: \"6000\"\n"
      << "state:\n  directory: " << dir.str() << "/state\n  batch_max_events: 200\n"
      << "admin:\n  listen: 127.0.0.1:0\n"
      << "logging:\n  level: warn\n";
  }
  const std::string db_path = dir.str() + "/state/opsync.db";
  const std::string log = dir.str() + "/opsyncd.log";

  std::mt19937 rng(7);
  int kills = 0;
  std::int64_t last = -1;
  for (int round = 0; round < 4; ++round) {
    ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config_path}, {}, log);
    // Let it make some progress (but not finish), then kill it without warning.
    const std::int64_t target = static_cast<std::int64_t>(kEvents) * (round + 1) / 5 +
                                static_cast<std::int64_t>(rng() % 200);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (consumed_offsets(db_path) < target && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    daemon.signal(SIGKILL);
    EXPECT_EQ(daemon.wait(), 128 + SIGKILL);
    ++kills;
    const auto now = consumed_offsets(db_path);
    EXPECT_GE(now, last) << "progress never goes backwards";
    last = now;
  }
  ASSERT_LT(last, static_cast<std::int64_t>(kEvents)) << "the kills should land mid-stream";

  // The last run finishes the stream and stops cleanly on SIGTERM.
  {
    ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config_path}, {}, log);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (consumed_offsets(db_path) < static_cast<std::int64_t>(kEvents) &&
           std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    daemon.signal(SIGTERM);
    int status = -1;
    ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(30), status));
    EXPECT_EQ(status, 0);
  }
  ASSERT_EQ(consumed_offsets(db_path), static_cast<std::int64_t>(kEvents)) << "see " << log;

  StateStore recovered(dir.str() + "/state");
  EXPECT_EQ(testing::dump_operators(recovered), testing::dump_operators(reference));
  auto got = recovered.progress().load_counters();
  auto want = reference.progress().load_counters();
  for (const char* name : testing::kEventCounters) {
    EXPECT_EQ(got[name], want[name]) << name;
  }
  EXPECT_EQ(kills, 4);
}

}  // namespace
}  // namespace opsync
