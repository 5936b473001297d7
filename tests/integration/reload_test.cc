// SIGHUP reloads the configuration: a valid one is applied without a restart; an invalid one is
// rejected with its errors in the log and the daemon runs on with the old one.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "kafka/mock_cluster.h"
#include "store/state_store.h"
#include "support/process.h"
#include "support/reference_state.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::ChildProcess;
using testing::consumed_offsets;
using testing::TempDir;

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool wait_for_log(const std::string& path, const std::string& needle,
                  std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (read_file(path).find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST(Reload, GoodConfigAppliesBadConfigIsRejectedAndTheDaemonRunsOn) {
  MockKafkaCluster cluster(1);
  cluster.create_topic("ops", 1);
  cluster.create_topic("ops.dlq", 1);
  TempDir dir;
  const std::string config = dir.str() + "/opsync.yaml";
  auto write = [&](const std::string& level, const std::string& extra) {
    std::ofstream f(config);
    f << "kafka:\n  brokers: [\"" << cluster.bootstraps() << "\"]\n  topic: ops\n"
      << "  group_id: reload-test\n  dead_letter_topic: ops.dlq\n  properties:\n    log_level: "
         "\"3\"\n"
      << "state:\n  directory: " << dir.str() << "/state\n"
      << "admin:\n  listen: 127.0.0.1:0\n"
      << "logging:\n  level: " << level << "\n"
      << extra;
  };
  write("info", "");
  const std::string log = dir.str() + "/opsyncd.log";
  const std::string db = dir.str() + "/state/opsync.db";
  ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config}, {}, log);
  ASSERT_TRUE(wait_for_log(log, "event=consumer_subscribed", std::chrono::seconds(20)));

  write("debug", "");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_for_log(log, "event=reloaded", std::chrono::seconds(20))) << read_file(log);

  // Two errors: an unknown key and a wrong type. Both are reported; the daemon runs on.
  write("info", "bogus_section: 1\nshutdown:\n  drain_timeout: soon\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_for_log(log, "event=reload_rejected", std::chrono::seconds(20)))
      << read_file(log);
  const std::string text = read_file(log);
  EXPECT_NE(text.find("bogus_section"), std::string::npos) << text;
  EXPECT_NE(text.find("shutdown.drain_timeout"), std::string::npos) << text;

  SimpleProducer producer(cluster.bootstraps());
  producer.produce(
      "ops", "emp-1",
      R"({"specversion":"1.0","id":"r1","source":"hr/test","type":"operator.created",)"
      R"("data":{"operator_id":"emp-1","revision":1,"attributes":{"email":"a@example.com"}}})");
  producer.flush();
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (consumed_offsets(db) < 1 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(consumed_offsets(db), 1) << "still consuming after the rejected reload";

  daemon.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(20), status));
  EXPECT_EQ(status, 0);
}

// A second opsyncd on a state directory that another one holds is refused at start: it exits
// non-zero and says why, instead of pushing the same rows.
TEST(SecondInstance, RunOnALockedStateDirectoryExitsNonZero) {
  MockKafkaCluster cluster(1);
  cluster.create_topic("ops", 1);
  cluster.create_topic("ops.dlq", 1);
  TempDir dir;
  const std::string config = dir.str() + "/opsync.yaml";
  {
    std::ofstream f(config);
    f << "kafka:\n  brokers: [\"" << cluster.bootstraps() << "\"]\n  topic: ops\n"
      << "  group_id: second-instance-test\n  dead_letter_topic: ops.dlq\n"
      << "state:\n  directory: " << dir.str() << "/state\n"
      << "admin:\n  listen: 127.0.0.1:0\n";
  }
  StateStore holder(dir.str() + "/state");  // the "first instance"
  const std::string log = dir.str() + "/opsyncd.log";
  ChildProcess second({OPSYNCD_PATH, "run", "--config", config}, {}, log);
  int status = 0;
  ASSERT_TRUE(second.wait_for(std::chrono::seconds(20), status)) << read_file(log);
  EXPECT_NE(status, 0) << read_file(log);
  const std::string text = read_file(log);
  EXPECT_NE(text.find("is in use by another opsyncd (pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("event=consumer_subscribed"), std::string::npos) << text;
}

}  // namespace
}  // namespace opsync
