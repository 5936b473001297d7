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
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::ChildProcess;
using testing::TempDir;

std::int64_t consumed_offsets(const std::string& db_path) {
  try {
    sqlite::Connection db(db_path);
    auto s = db.prepare("SELECT coalesce(sum(next_offset), 0) FROM offsets");
    return s.step() ? s.column_int(0) : 0;
  } catch (const sqlite::SqliteError&) {
    return 0;  // not created yet
  }
}

std::map<std::string, std::string> dump(StateStore& store) {
  std::map<std::string, std::string> out;
  store.for_each_operator([&](const CanonicalOperator& op) {
    out[op.id] = std::to_string(op.revision) + "|" + std::to_string(op.deleted) + "|" +
                 boost::json::serialize(op.attributes);
  });
  return out;
}

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
  {
    EventDecoder decoder{DecoderLimits{}};
    Reconciler reconciler(reference, {});
    IngestBatch batch(reference, decoder, reconciler);
    std::vector<ConsumedMessage> all;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      ConsumedMessage c;
      c.topic = "ops";
      c.offset = static_cast<std::int64_t>(i);
      c.key = messages[i].key;
      c.has_key = true;
      c.value = messages[i].value;
      c.headers = messages[i].headers;
      all.push_back(std::move(c));
    }
    batch.apply(all, 0);
  }

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
  EXPECT_EQ(dump(recovered), dump(reference));
  auto got = recovered.load_counters();
  auto want = reference.load_counters();
  for (const char* name : {"events_consumed", "events_applied", "events_unchanged", "events_stale",
                           "events_duplicate", "events_invalid"}) {
    EXPECT_EQ(got[name], want[name]) << name;
  }
  EXPECT_EQ(kills, 4);
}

}  // namespace
}  // namespace opsync
