// opsync against the sync a user would write instead, on the same events, broker and receiving
// server, in one run.
//
// Broker: librdkafka's mock cluster in this process (real Kafka protocol over TCP on 127.0.0.1).
// Vendors: the ReceiptServer (five vendor paths on one loopback port; answers 200 and records
// arrivals), because the five vendor connectors were not yet in the tree when this was written.
// (a) opsync: this program re-executed as a child (`--opsync-child`) running the daemon's data path
//     (KafkaConsumer -> IngestBatch -> outbox -> Dispatcher; SQLite synchronous `--sync`, default
//     FULL like the daemon) with five
//     BenchConnector instances.
// (b) the baseline: bench/baseline/naive_sync.py under /usr/bin/python3 (confluent-kafka,
//     requests), one request per event per vendor.
// For each, two runs on a fresh topic: `burst` (events produced as fast as the producer goes:
// throughput) and `paced` (events at --rate events/s: latency). Each run ends when every vendor has
// received every operator's last event. CPU seconds and peak RSS come from wait4() on the child.
//
//   build/h-bench/bench/compare_bench [--operators 2000] [--events 50000] [--rate 5000]
//       [--paced-seconds 10] [--baseline-events 5000] [--baseline-rate 5000]
//       [--baseline-paced-events 2500] [--sync FULL|NORMAL] [--python /usr/bin/python3]
//       [--baseline PATH] [--fetch-wait-ms N] [--only opsync|baseline]

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/connector_planner.h"
#include "dispatch/dispatcher.h"
#include "events/event_decoder.h"
#include "ingest/ingest_batch.h"
#include "kafka/kafka_consumer.h"
#include "kafka/mock_cluster.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"
#include "support/bench_connector.h"
#include "support/bench_events.h"
#include "support/receipt_server.h"

namespace {

namespace asio = boost::asio;
using namespace opsync;
using namespace opsync::bench;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kVendors = {"glia", "plugchat", "identitycall", "iadvize",
                                           "commpeak"};

std::string sarg(int argc, char** argv, const char* name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}
long arg(int argc, char** argv, const char* name, long def) {
  const std::string s = sarg(argc, argv, name, "");
  return s.empty() ? def : std::stol(s);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// ---- (a) the opsync child: the daemon's data path with bench connectors ----

int run_opsync_child(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  const std::string brokers = sarg(argc, argv, "--brokers", "");
  const std::string topic = sarg(argc, argv, "--topic", "");
  const std::string base_url = sarg(argc, argv, "--base-url", "");
  const std::string dir = sarg(argc, argv, "--dir", "");
  asio::io_context io;
  StoreOptions so;
  so.synchronous = sarg(argc, argv, "--sync", "FULL");
  StateStore store(dir, so);
  EventDecoder decoder{DecoderLimits{}};
  DeliveryLimits limits;
  limits.concurrency = 64;
  limits.rate_per_second = 1e9;
  limits.burst = 1'000'000'000;
  std::vector<std::unique_ptr<BenchConnector>> connectors;
  std::vector<std::unique_ptr<ConnectorPlanner>> planners;
  std::vector<PushPlanner*> planner_ptrs;
  std::vector<Connector*> connector_ptrs;
  for (const auto& v : kVendors) {
    connectors.push_back(std::make_unique<BenchConnector>(io, v, base_url, limits));
    planners.push_back(std::make_unique<ConnectorPlanner>(*connectors.back()));
    planner_ptrs.push_back(planners.back().get());
    connector_ptrs.push_back(connectors.back().get());
  }
  Reconciler reconciler(store, planner_ptrs);
  IngestBatch ingest(store, decoder, reconciler);
  Dispatcher dispatcher(io, store, connector_ptrs);
  dispatcher.start();
  KafkaOptions ko;
  ko.brokers = brokers;
  ko.topic = topic;
  ko.group_id = "opsync-bench";
  ko.dead_letter_topic = topic + ".dlq";
  const std::string fetch_wait = sarg(argc, argv, "--fetch-wait-ms", "");
  if (!fetch_wait.empty()) ko.properties["fetch.wait.max.ms"] = fetch_wait;
  KafkaConsumer consumer(
      io, ko,
      [&](std::vector<ConsumedMessage>& batch) {
        const auto now_ms = wall_us() / 1000;
        IngestResult r = ingest.apply(batch, now_ms);
        for (const auto& [c, op] : r.queued_pushes) dispatcher.notify(c, op);
      },
      [&](const std::string& t) { return store.load_offsets(t); });
  consumer.start();
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(io);
        while (consumer.assigned_partitions() == 0) {
          t.expires_after(std::chrono::milliseconds(5));
          co_await t.async_wait(asio::use_awaitable);
        }
        std::printf("ready\n");
        std::fflush(stdout);
      },
      asio::detached);
  io.run();
  // Everything was delivered when the parent stops us; skip the drain and exit at once.
  std::fflush(stdout);
  _exit(0);
}

// ---- the parent: broker, server, producer, measurements ----

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child spawn(const std::vector<std::string>& args) {
  // Everything the child needs is prepared before fork(): between fork and exec only
  // async-signal-safe calls (the broker and server threads may hold allocator locks).
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fdopen(fds[0], "r")};
}

void wait_ready(const Child& child) {
  char line[256];
  while (std::fgets(line, sizeof line, child.out) != nullptr) {
    if (std::strncmp(line, "ready", 5) == 0) return;
  }
  throw std::runtime_error("child exited before it was ready");
}

struct RunResult {
  std::string who;
  std::string mode;
  DeliveryFigures figures;
  double seconds = 0;  // first produce -> last receipt
  double cpu_seconds = 0;
  double peak_rss_mib = 0;
  bool complete = true;
};

struct Harness {
  MockKafkaCluster& cluster;
  ReceiptServer& server;
  std::int64_t operators;
  int topic_counter = 0;
};

// One run: fresh topic, child started and ready, events produced (paced if rate > 0), wait until
// every vendor has every operator's last event (or the timeout), stop the child, measure.
RunResult run_once(Harness& h, const std::string& who, const std::vector<std::string>& child_args,
                   std::int64_t events, double rate, std::chrono::seconds timeout) {
  const std::string topic = "operators-" + std::to_string(++h.topic_counter);
  h.cluster.create_topic(topic, 6);
  std::vector<std::string> args = child_args;
  args.insert(args.end(), {"--topic", topic});
  h.server.take();
  Child child = spawn(args);
  wait_ready(child);

  SimpleProducer producer(h.cluster.bootstraps());
  BenchEventStream stream(h.operators, 11, /*hire_all_first=*/true);
  std::vector<ProducedEvent> produced;
  produced.reserve(static_cast<std::size_t>(events));
  std::map<std::int64_t, std::int64_t> last_seq;  // operator -> its last event
  const auto start = Clock::now();
  while (stream.produced() < events) {
    if (rate > 0) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(stream.produced()) / rate));
      if (due > Clock::now()) std::this_thread::sleep_until(due);
    }
    BenchEvent e = stream.next();
    produced.push_back({e.op_index, wall_us()});
    last_seq[e.op_index] = e.seq;
    producer.produce(topic, e.key, e.value);
  }
  producer.flush();

  // Wait for completion: every (vendor, operator) has received its last event's seq.
  std::vector<Receipt> receipts;
  std::vector<std::map<std::int64_t, std::int64_t>> seen(kVendors.size());
  std::size_t complete_pairs = 0;
  const std::size_t want = kVendors.size() * last_seq.size();
  const auto deadline = Clock::now() + timeout;
  while (complete_pairs < want && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (const Receipt& r : h.server.take()) {
      receipts.push_back(r);
      if (r.vendor < 0) continue;
      auto& s = seen[static_cast<std::size_t>(r.vendor)].try_emplace(r.op_index, -1).first->second;
      auto it = last_seq.find(r.op_index);
      if (it != last_seq.end() && r.seq == it->second && s != it->second) ++complete_pairs;
      s = std::max(s, r.seq);
    }
  }
  kill(child.pid, SIGTERM);
  int status = 0;
  rusage ru{};
  wait4(child.pid, &status, 0, &ru);
  std::fclose(child.out);
  for (const Receipt& r : h.server.take()) receipts.push_back(r);

  RunResult out;
  out.who = who;
  out.mode = rate > 0 ? "paced " + std::to_string(static_cast<long>(rate)) + "/s" : "burst";
  out.complete = complete_pairs == want;
  out.figures = measure(produced, std::move(receipts), kVendors.size());
  out.seconds =
      static_cast<double>(out.figures.last_received_us - out.figures.first_produced_us) / 1e6;
  out.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  out.peak_rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  return out;
}

void print(const RunResult& r) {
  const auto& f = r.figures;
  std::printf(
      "%-8s %-11s events %7llu  %8.0f events/s  %6.3f req/event  req/vendor/distinct-op %.3f  "
      "p50 %8.1f  p95 %8.1f  p99 %8.1f ms  CPU %6.2f s  peak RSS %6.1f MiB%s\n",
      r.who.c_str(), r.mode.c_str(), static_cast<unsigned long long>(f.events),
      static_cast<double>(f.events) / r.seconds,
      static_cast<double>(f.requests()) / static_cast<double>(f.events),
      static_cast<double>(f.requests()) / static_cast<double>(kVendors.size()) /
          static_cast<double>(f.distinct_operators_per_vendor.at(0)),
      f.percentile(50), f.percentile(95), f.percentile(99), r.cpu_seconds, r.peak_rss_mib,
      r.complete ? "" : "  INCOMPLETE (timed out)");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--opsync-child") == 0) return run_opsync_child(argc, argv);
  spdlog::set_level(spdlog::level::err);
  const auto operators = arg(argc, argv, "--operators", 2000);
  const auto events = arg(argc, argv, "--events", 50000);
  const auto rate = static_cast<double>(arg(argc, argv, "--rate", 5000));
  const auto paced_seconds = arg(argc, argv, "--paced-seconds", 10);
  const auto baseline_events = arg(argc, argv, "--baseline-events", 5000);
  const auto baseline_rate = static_cast<double>(arg(argc, argv, "--baseline-rate", 5000));
  const auto baseline_paced = arg(argc, argv, "--baseline-paced-events", 2500);
  const std::string python = sarg(argc, argv, "--python", "/usr/bin/python3");
  const std::string sync = sarg(argc, argv, "--sync", "FULL");
  // librdkafka's fetch.wait.max.ms for opsync's consumer ("" leaves librdkafka's default, 500).
  const std::string fetch_wait = sarg(argc, argv, "--fetch-wait-ms", "");
  const std::string only = sarg(argc, argv, "--only", "");  // "opsync" or "baseline"
  const std::string self = std::filesystem::canonical("/proc/self/exe").string();
  std::string baseline = sarg(argc, argv, "--baseline", "");
  if (baseline.empty()) {
    baseline = std::filesystem::path(__FILE__).parent_path() / "baseline" / "naive_sync.py";
  }

  ReceiptServer server(kVendors, 1);
  MockKafkaCluster cluster(1);
  Harness h{cluster, server, operators};
  const std::string base_url = "http://127.0.0.1:" + std::to_string(server.port());
  std::random_device rd;
  const auto tmp = std::filesystem::temp_directory_path();
  int dirs = 0;
  std::vector<std::filesystem::path> state_dirs;  // removed at the end
  struct RemoveDirs {
    std::vector<std::filesystem::path>& dirs;
    ~RemoveDirs() {
      std::error_code ec;
      for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
  } remove_dirs{state_dirs};
  auto opsync_args = [&] {
    const auto dir =
        tmp / ("opsync-compare-" + std::to_string(rd()) + "-" + std::to_string(++dirs));
    std::filesystem::create_directories(dir);
    state_dirs.push_back(dir);
    return std::vector<std::string>{self,
                                    "--opsync-child",
                                    "--brokers",
                                    cluster.bootstraps(),
                                    "--base-url",
                                    base_url,
                                    "--dir",
                                    dir.string(),
                                    "--sync",
                                    sync,
                                    "--fetch-wait-ms",
                                    fetch_wait};
  };
  const std::vector<std::string> baseline_args = {
      python,       baseline, "--brokers", cluster.bootstraps(),
      "--base-url", base_url, "--vendors", join(kVendors)};

  std::printf(
      "compare_bench: %lld operators, %zu vendors, mock Kafka cluster (6 partitions), receipt "
      "server, opsync store synchronous=%s; latency = produce -> vendor receipt\n",
      static_cast<long long>(operators), kVendors.size(), sync.c_str());
  std::fflush(stdout);
  std::vector<RunResult> results;
  const auto timeout = std::chrono::seconds(600);
  if (only != "baseline") {
    results.push_back(run_once(h, "opsync", opsync_args(), events, 0, timeout));
    print(results.back());
    std::fflush(stdout);
    results.push_back(run_once(h, "opsync", opsync_args(),
                               static_cast<std::int64_t>(rate) * paced_seconds, rate, timeout));
    print(results.back());
    std::fflush(stdout);
  }
  if (only != "opsync") {
    results.push_back(run_once(h, "baseline", baseline_args, baseline_events, 0, timeout));
    print(results.back());
    std::fflush(stdout);
    results.push_back(
        run_once(h, "baseline", baseline_args, baseline_paced, baseline_rate, timeout));
    print(results.back());
  }
  if (results.size() < 4) return 0;

  const RunResult& ob = results[0];
  const RunResult& bb = results[2];
  const double o_eps = static_cast<double>(ob.figures.events) / ob.seconds;
  const double b_eps = static_cast<double>(bb.figures.events) / bb.seconds;
  std::printf(
      "ratios (opsync / baseline, burst): events/s %.1fx; requests per event %.3fx; CPU "
      "per event %.3fx; peak RSS %.2fx\n",
      o_eps / b_eps,
      (static_cast<double>(ob.figures.requests()) / static_cast<double>(ob.figures.events)) /
          (static_cast<double>(bb.figures.requests()) / static_cast<double>(bb.figures.events)),
      (ob.cpu_seconds / static_cast<double>(ob.figures.events)) /
          (bb.cpu_seconds / static_cast<double>(bb.figures.events)),
      ob.peak_rss_mib / bb.peak_rss_mib);
  std::printf("ratio p99 latency paced (baseline / opsync): %.1fx\n",
              results[3].figures.percentile(99) / results[1].figures.percentile(99));
  return 0;
}
