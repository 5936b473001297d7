// A roster of one million operators: store size, memory, start-up time to ready, and the time to
// resync every operator to one vendor at its rate limit.
//
// 1. populate (in a forked child, so its memory does not count): `--operators` hires through
//    ingest (decode, reconcile, store; synchronous=FULL) in batches of `--batch`.
// 2. start-up to ready, as the daemon does it: open the store, count the operators, start the
//    dispatcher (loads the outbox), start the Kafka consumer (mock cluster) and wait for its
//    partition assignment. Measured twice: with an empty outbox, and after a full resync was
//    queued (one pending push per operator: restart in the middle of a resync).
// 3. resync: one full-resync outbox entry per operator for one vendor (one transaction), then the
//    dispatcher pushes them to the ReceiptServer at the vendor's rate limit (`--rate`, burst one
//    second's worth) for `--resync-seconds`; the whole resync time is computed from the measured
//    rate (it would take hours to run). The same for an unlimited rate shows the ceiling.
//
//   build/h-bench/bench/roster_bench [--operators 1000000] [--batch 20000] [--rate 20]
//       [--resync-seconds 10] [--sync FULL|NORMAL] [--dir DIR (reuse a populated store)]

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

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

std::string g_sync = "FULL";  // --sync: the dispatcher's commits (populate is always FULL)

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double store_mib(const std::filesystem::path& dir) {
  std::uintmax_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) bytes += e.file_size();
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

void populate(const std::string& dir, std::int64_t operators, std::size_t batch_size) {
  StateStore store(dir);
  EventDecoder decoder{DecoderLimits{}};
  Reconciler reconciler(store, {});
  IngestBatch ingest(store, decoder, reconciler);
  BenchEventStream stream(operators, 3, /*hire_all_first=*/true);
  std::vector<ConsumedMessage> batch;
  const auto t0 = Clock::now();
  while (stream.produced() < operators) {
    batch.clear();
    while (batch.size() < batch_size && stream.produced() < operators) {
      BenchEvent e = stream.next();
      ConsumedMessage c;
      c.topic = "operators";
      c.partition = static_cast<std::int32_t>(e.seq % 6);
      c.offset = e.seq / 6;
      c.key = std::move(e.key);
      c.has_key = true;
      c.value = std::move(e.value);
      batch.push_back(std::move(c));
    }
    ingest.apply(batch, wall_us() / 1000);
  }
  std::printf("populate: %lld operators ingested in %.1f s (%.0f events/s), peak RSS %.1f MiB\n",
              static_cast<long long>(operators), since(t0),
              static_cast<double>(operators) / since(t0), peak_rss_mib());
}

struct Startup {
  double seconds = 0;
  std::int64_t operators = 0;
  std::size_t backlog = 0;
};

// The daemon's start-up path with one connector, up to "ready" (partitions assigned).
Startup start_to_ready(const std::string& dir, const std::string& brokers,
                       const std::string& base_url, DeliveryLimits limits, double run_seconds,
                       ReceiptServer* server, double* pushed_per_second) {
  Startup s;
  asio::io_context io;
  const auto t0 = Clock::now();
  StateStore store(dir, StoreOptions{g_sync});
  s.operators = store.operators().count();
  BenchConnector connector(io, "glia", base_url, limits);
  Dispatcher dispatcher(io, store, {&connector});
  dispatcher.start();
  EventDecoder decoder{DecoderLimits{}};
  Reconciler reconciler(store, {});
  IngestBatch ingest(store, decoder, reconciler);
  KafkaOptions ko;
  ko.brokers = brokers;
  ko.topic = "operators";
  // A fresh group per start: re-joining the previous start's group would wait for its session
  // to time out on the mock cluster (about 40 s), which is not what a restart measures here.
  static int starts = 0;
  ko.group_id = "roster-bench-" + std::to_string(++starts);
  ko.dead_letter_topic = "operators.dlq";
  KafkaConsumer consumer(
      io, ko, [&](std::vector<ConsumedMessage>& batch) { ingest.apply(batch, wall_us() / 1000); },
      [&](const std::string& t) { return store.progress().load_offsets(t); });
  consumer.start();
  bool ready = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(io);
        while (consumer.assigned_partitions() == 0) {
          t.expires_after(std::chrono::milliseconds(1));
          co_await t.async_wait(asio::use_awaitable);
        }
        s.seconds = since(t0);
        s.backlog = dispatcher.counters("glia").backlog;
        ready = true;
        if (run_seconds <= 0) {
          io.stop();
          co_return;
        }
        // Push at the rate limit for run_seconds; count what the server received.
        if (server) server->take();
        const auto r0 = Clock::now();
        const auto before = server ? server->count() : 0;
        t.expires_after(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(run_seconds)));
        co_await t.async_wait(asio::use_awaitable);
        const auto pushed = (server ? server->count() : 0) - before;
        *pushed_per_second = static_cast<double>(pushed) / since(r0);
        io.stop();
      },
      asio::detached);
  io.run();
  consumer.close();
  (void)ready;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  const auto operators = arg(argc, argv, "--operators", 1'000'000);
  const auto batch_size = static_cast<std::size_t>(arg(argc, argv, "--batch", 20000));
  const auto rate = static_cast<double>(arg(argc, argv, "--rate", 20));
  const auto resync_seconds = static_cast<double>(arg(argc, argv, "--resync-seconds", 10));
  g_sync = sarg(argc, argv, "--sync", "FULL");
  std::string dir = sarg(argc, argv, "--dir", "");
  const bool own_dir = dir.empty();
  if (own_dir) {
    std::random_device rd;
    dir = (std::filesystem::temp_directory_path() / ("opsync-roster-" + std::to_string(rd())))
              .string();
  }
  std::printf("roster_bench: %lld operators, store %s, synchronous=%s\n",
              static_cast<long long>(operators), dir.c_str(), g_sync.c_str());
  std::fflush(stdout);
  if (!std::filesystem::exists(std::filesystem::path(dir) / "opsync.db")) {
    const pid_t pid = fork();
    if (pid == 0) {
      populate(dir, operators, batch_size);
      std::fflush(stdout);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "populate failed\n");
      return 1;
    }
  }
  std::printf("store size: %.1f MiB (opsync.db + WAL)\n", store_mib(dir));

  MockKafkaCluster cluster(1);
  cluster.create_topic("operators", 6);
  ReceiptServer server({"glia"}, 1);
  const std::string base_url = "http://127.0.0.1:" + std::to_string(server.port());
  DeliveryLimits limited;
  limited.concurrency = 8;
  limited.rate_per_second = rate;
  limited.burst = static_cast<std::uint32_t>(std::max(1.0, rate));

  double unused = 0;
  Startup s1 = start_to_ready(dir, cluster.bootstraps(), base_url, limited, 0, nullptr, &unused);
  std::printf("start-up to ready (empty outbox): %.3f s, %lld operators; RSS now %.1f MiB\n",
              s1.seconds, static_cast<long long>(s1.operators), current_rss_mib());
  std::fflush(stdout);

  // Queue a full resync of everyone to one vendor.
  {
    StateStore store(dir);
    const auto t0 = Clock::now();
    std::vector<std::string> ids;
    ids.reserve(static_cast<std::size_t>(operators));
    store.operators().for_each([&](const CanonicalOperator& op) { ids.push_back(op.id); });
    Transaction tx(store);
    const auto now_ms = wall_us() / 1000;
    for (const auto& id : ids) store.outbox().upsert("glia", id, now_ms, /*full_resync=*/true);
    tx.commit();
    std::printf("resync queued: %zu outbox entries in %.1f s\n", ids.size(), since(t0));
  }
  std::printf("store size with the resync queued: %.1f MiB\n", store_mib(dir));
  std::fflush(stdout);

  double limited_rate = 0;
  Startup s2 = start_to_ready(dir, cluster.bootstraps(), base_url, limited, resync_seconds, &server,
                              &limited_rate);
  std::printf(
      "start-up to ready (resync pending, %zu lanes): %.3f s; pushed %.1f/s at a limit of %.0f/s "
      "for %.0f s\n",
      s2.backlog, s2.seconds, limited_rate, rate, resync_seconds);
  std::printf(
      "  full resync of %lld operators at %.1f/s: %.0f s = %.1f h (computed from the "
      "measured rate)\n",
      static_cast<long long>(s2.operators), limited_rate,
      static_cast<double>(s2.operators) / limited_rate,
      static_cast<double>(s2.operators) / limited_rate / 3600.0);
  std::fflush(stdout);

  DeliveryLimits unlimited = limited;
  unlimited.concurrency = 64;
  unlimited.rate_per_second = 1e9;
  unlimited.burst = 1'000'000'000;
  double max_rate = 0;
  Startup s3 = start_to_ready(dir, cluster.bootstraps(), base_url, unlimited, resync_seconds,
                              &server, &max_rate);
  std::printf(
      "  without a rate limit: %.0f pushes/s for %.0f s (start-up %.3f s), so the whole "
      "roster in %.0f s\n",
      max_rate, resync_seconds, s3.seconds, static_cast<double>(s3.operators) / max_rate);
  std::printf("peak resident memory (start-up and resync, populate excluded): %.1f MiB\n",
              peak_rss_mib());
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
