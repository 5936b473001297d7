// opsyncd under systemd's notification protocol: a datagram socket stands in for systemd as
// NOTIFY_SOCKET. READY=1 after start, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 on SIGTERM,
// and a clean exit.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <fstream>
#include <thread>

#include "kafka/mock_cluster.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::ChildProcess;
using testing::TempDir;

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("bind");
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { ::close(fd_); }

  /// Collects datagrams until `pred` holds for the accumulated list or the timeout passes.
  bool collect_until(std::vector<std::string>& got, const std::function<bool()>& pred,
                     std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) got.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

std::size_t count_with(const std::vector<std::string>& msgs, const std::string& needle) {
  std::size_t n = 0;
  for (const auto& m : msgs) n += m.find(needle) != std::string::npos;
  return n;
}

TEST(ServiceNotify, ReadyWatchdogAndStopping) {
  MockKafkaCluster cluster(1);
  cluster.create_topic("ops", 1);
  cluster.create_topic("ops.dlq", 1);
  TempDir dir;
  const std::string config = dir.str() + "/opsync.yaml";
  {
    std::ofstream f(config);
    f << "kafka:\n  brokers: [\"" << cluster.bootstraps() << "\"]\n  topic: ops\n"
      << "  group_id: notify-test\n  dead_letter_topic: ops.dlq\n  properties:\n    log_level: "
         "\"3\"\n"
      << "state:\n  directory: " << dir.str() << "/state\n"
      << "admin:\n  listen: 127.0.0.1:0\n";
  }
  NotifySocket sock(dir.str() + "/notify.sock");
  ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config},
                      {"NOTIFY_SOCKET=" + dir.str() + "/notify.sock", "WATCHDOG_USEC=200000"},
                      dir.str() + "/opsyncd.log");
  std::vector<std::string> got;
  ASSERT_TRUE(sock.collect_until(
      got, [&] { return count_with(got, "READY=1") == 1; }, std::chrono::seconds(20)));
  // 100 ms pings: several arrive within a second.
  ASSERT_TRUE(sock.collect_until(
      got, [&] { return count_with(got, "WATCHDOG=1") >= 3; }, std::chrono::seconds(5)));
  daemon.signal(SIGTERM);
  ASSERT_TRUE(sock.collect_until(
      got, [&] { return count_with(got, "STOPPING=1") == 1; }, std::chrono::seconds(10)));
  int status = -1;
  ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(20), status));
  EXPECT_EQ(status, 0);
}

TEST(ServiceNotify, NoWatchdogWithoutWatchdogUsec) {
  MockKafkaCluster cluster(1);
  cluster.create_topic("ops", 1);
  TempDir dir;
  const std::string config = dir.str() + "/opsync.yaml";
  {
    std::ofstream f(config);
    f << "kafka:\n  brokers: [\"" << cluster.bootstraps() << "\"]\n  topic: ops\n"
      << "  group_id: notify-test\n  dead_letter_topic: ops.dlq\n  properties:\n    log_level: "
         "\"3\"\n"
      << "state:\n  directory: " << dir.str() << "/state\n"
      << "admin:\n  listen: 127.0.0.1:0\n";
  }
  NotifySocket sock(dir.str() + "/notify.sock");
  ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config},
                      {"NOTIFY_SOCKET=" + dir.str() + "/notify.sock"}, dir.str() + "/opsyncd.log");
  std::vector<std::string> got;
  ASSERT_TRUE(sock.collect_until(
      got, [&] { return count_with(got, "READY=1") == 1; }, std::chrono::seconds(20)));
  sock.collect_until(
      got, [] { return false; }, std::chrono::milliseconds(500));
  EXPECT_EQ(count_with(got, "WATCHDOG=1"), 0u);
  daemon.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(20), status));
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace opsync
