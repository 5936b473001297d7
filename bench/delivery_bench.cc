// The delivery engine under load: sample events go through ingest (decode, reconcile, outbox) and
// the Dispatcher pushes them to a local HTTP server standing in for five vendors (ReceiptServer:
// answers 200 and records each request's arrival; the vendor simulators keep a JSON request log
// per request and would measure themselves). Prints requests per second, requests per event
// against the distinct operators changed, and latency percentiles.
//
// Phase 1 (burst, then drain): `--burst-events` events over `--operators` operators (everyone hired
// first, then random changes) are ingested with the dispatcher stopped, as a Kafka backlog would
// arrive; then it starts and drains the outbox. Coalescing must make that exactly one push per
// operator and vendor, and the drain shows the dispatcher's raw rate. Latency is from outbox entry
// created or last bumped (ingest commit) to request received, so it is mostly queueing.
// Phase 2 (stream): `--events` more events over the same operators, fed in batches as the Kafka
// consumer would (at `--rate` events/s, or as fast as ingest goes with 0) while the dispatcher
// runs. Latency is from the event handed to ingest to the request received.
//
//   build/h-bench/bench/delivery_bench [--operators 20000] [--burst-events 5*operators]
//       [--events 200000] [--rate 0]
//       [--batch 5000] [--concurrency 64] [--sync NORMAL|FULL] [--server-threads 1]
//
// --sync defaults to NORMAL here: the daemon opens its store with FULL, and the dispatcher commits
// every completed push on its own, so with FULL the push rate is the disk's fsync rate (about 100/s
// on the build machine); see docs/performance.md.

#include <spdlog/spdlog.h>
#include <sys/resource.h>

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

#include "dispatch/connector_planner.h"
#include "dispatch/dispatcher.h"
#include "events/event_decoder.h"
#include "ingest/ingest_batch.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"
#include "support/bench_connector.h"
#include "support/bench_events.h"
#include "support/receipt_server.h"
#include "vendorsim/vendor.h"

namespace {

namespace asio = boost::asio;
using namespace opsync;
using namespace opsync::bench;

long arg(int argc, char** argv, const char* name, long def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  }
  return def;
}

std::string sarg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}

// One stand-in connector per simulated vendor (the vendor table, vendorsim/vendor.h).
const std::vector<std::string> kVendors = [] {
  std::vector<std::string> out;
  for (opsync::vendorsim::Vendor v : opsync::vendorsim::kAllVendors) {
    out.emplace_back(opsync::vendorsim::vendor_name(v));
  }
  return out;
}();

ConsumedMessage consumed(BenchEvent e) {
  ConsumedMessage c;
  c.topic = "operators";
  c.partition = static_cast<std::int32_t>(e.seq % 6);
  c.offset = e.seq;
  c.key = std::move(e.key);
  c.has_key = true;
  c.value = std::move(e.value);
  return c;
}

void report(const char* phase, const DeliveryFigures& f, double seconds, double cpu_seconds,
            double loop_cpu_seconds) {
  std::printf("%s\n", phase);
  std::printf("  events %llu, requests %llu (", static_cast<unsigned long long>(f.events),
              static_cast<unsigned long long>(f.requests()));
  for (std::size_t v = 0; v < f.requests_per_vendor.size(); ++v) {
    std::printf("%s%s %llu", v ? ", " : "", kVendors[v].c_str(),
                static_cast<unsigned long long>(f.requests_per_vendor[v]));
  }
  std::printf(")\n");
  const double distinct = static_cast<double>(
      f.distinct_operators_per_vendor.empty() ? 0 : f.distinct_operators_per_vendor[0]);
  std::printf(
      "  distinct operators changed: %.0f; requests per vendor / distinct operators: %.3f\n",
      distinct,
      static_cast<double>(f.requests()) / static_cast<double>(kVendors.size()) / distinct);
  std::printf("  requests per event (all vendors): %.3f\n",
              static_cast<double>(f.requests()) / static_cast<double>(f.events));
  std::printf(
      "  wall time %.2f s: %.0f requests/s, %.0f events/s; CPU %.2f s (process), %.2f s "
      "(event loop thread)\n",
      seconds, static_cast<double>(f.requests()) / seconds, static_cast<double>(f.events) / seconds,
      cpu_seconds, loop_cpu_seconds);
  std::printf("  requests per CPU second of the event loop thread: %.0f\n",
              static_cast<double>(f.requests()) / loop_cpu_seconds);
  std::printf("  latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  (undelivered %llu)\n",
              f.percentile(50), f.percentile(95), f.percentile(99), f.percentile(100),
              static_cast<unsigned long long>(f.undelivered));
}

// CPU of the whole process (who = RUSAGE_SELF) or of the event loop's thread (RUSAGE_THREAD: ingest
// and dispatcher; the receipt server runs on threads of its own).
double cpu_seconds(int who = RUSAGE_SELF) {
  rusage ru{};
  getrusage(who, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const auto operators = arg(argc, argv, "--operators", 20000);
  const auto events = arg(argc, argv, "--events", 200000);
  const auto burst = std::max(operators, arg(argc, argv, "--burst-events", 5 * operators));
  const auto rate = static_cast<double>(arg(argc, argv, "--rate", 0));
  const auto batch_size = static_cast<std::size_t>(arg(argc, argv, "--batch", 5000));
  const auto concurrency = static_cast<std::size_t>(arg(argc, argv, "--concurrency", 64));
  const auto server_threads = static_cast<int>(arg(argc, argv, "--server-threads", 1));
  const std::string sync = sarg(argc, argv, "--sync", "NORMAL");
  spdlog::set_level(spdlog::level::err);

  ReceiptServer server(kVendors, server_threads);
  const std::string base_url = "http://127.0.0.1:" + std::to_string(server.port());
  std::random_device rd;
  const auto dir =
      std::filesystem::temp_directory_path() / ("opsync-delivery-bench-" + std::to_string(rd()));

  asio::io_context io;
  StoreOptions so;
  so.synchronous = sync;
  StateStore store(dir.string(), so);
  EventDecoder decoder{DecoderLimits{}};
  DeliveryLimits limits;
  limits.concurrency = concurrency;
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

  BenchEventStream stream(operators, 7, /*hire_all_first=*/true);
  std::vector<ProducedEvent> produced;
  produced.reserve(static_cast<std::size_t>(operators + events));

  // Phase 1: fill the outbox, then drain it.
  std::vector<ConsumedMessage> batch;
  while (stream.produced() < burst) {
    batch.clear();
    const std::size_t first = produced.size();
    while (batch.size() < batch_size && stream.produced() < burst) {
      BenchEvent e = stream.next();
      produced.push_back({e.op_index, 0});
      batch.push_back(consumed(std::move(e)));
    }
    ingest.apply(batch, wall_us() / 1000);
    const std::int64_t committed = wall_us();
    for (std::size_t i = first; i < produced.size(); ++i) produced[i].produced_us = committed;
  }

  auto idle = [&] {
    for (const auto& v : kVendors) {
      auto c = dispatcher.counters(v);
      if (c.backlog > 0 || c.in_flight > 0) return false;
    }
    return true;
  };
  // Runs the loop until the feeder is done and every lane is empty.
  bool feeding = false;
  auto run_until_idle = [&] {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          asio::steady_timer t(io);
          for (;;) {
            t.expires_after(std::chrono::milliseconds(2));
            co_await t.async_wait(asio::use_awaitable);
            if (!feeding && idle()) break;
          }
          io.stop();
        },
        asio::detached);
    io.restart();
    io.run();
  };

  double cpu0 = cpu_seconds();
  double loop0 = cpu_seconds(RUSAGE_THREAD);
  auto t0 = std::chrono::steady_clock::now();
  dispatcher.start();
  run_until_idle();
  double seconds1 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu1 = cpu_seconds() - cpu0;
  double loop1 = cpu_seconds(RUSAGE_THREAD) - loop0;
  std::vector<Receipt> phase1 = server.take();

  // Phase 2: stream events while the dispatcher runs.
  feeding = events > 0;
  const std::int64_t total = burst + events;
  cpu0 = cpu_seconds();
  loop0 = cpu_seconds(RUSAGE_THREAD);
  t0 = std::chrono::steady_clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(io);
        const auto start = std::chrono::steady_clock::now();
        while (stream.produced() < total) {
          std::int64_t due = total;
          if (rate > 0) {
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            due = std::min<std::int64_t>(total, burst + static_cast<std::int64_t>(elapsed * rate));
          }
          std::vector<ConsumedMessage> b;
          const std::int64_t now = wall_us();
          while (stream.produced() < due && b.size() < batch_size) {
            BenchEvent e = stream.next();
            produced.push_back({e.op_index, now});
            b.push_back(consumed(std::move(e)));
          }
          if (!b.empty()) {
            IngestResult r = ingest.apply(b, now / 1000);
            for (const auto& [c, op] : r.queued_pushes) dispatcher.notify(c, op);
          }
          t.expires_after(std::chrono::microseconds(rate > 0 ? 1000 : 0));
          co_await t.async_wait(asio::use_awaitable);
        }
        feeding = false;
      },
      asio::detached);
  if (events > 0) run_until_idle();
  double seconds2 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu2 = cpu_seconds() - cpu0;
  double loop2 = cpu_seconds(RUSAGE_THREAD) - loop0;
  std::vector<Receipt> phase2 = server.take();

  std::printf(
      "delivery_bench: %lld operators, burst of %lld events, then %lld streamed events, %zu "
      "vendors, concurrency %zu per "
      "vendor, synchronous=%s, server threads %d, rate %s\n",
      static_cast<long long>(operators), static_cast<long long>(burst),
      static_cast<long long>(events), kVendors.size(), concurrency, sync.c_str(), server_threads,
      rate > 0 ? (std::to_string(static_cast<long>(rate)) + " events/s").c_str() : "unpaced");
  std::vector<ProducedEvent> first(produced.begin(), produced.begin() + burst);
  DeliveryFigures f1 = measure(first, std::move(phase1), kVendors.size());
  report(
      "phase 1: burst ingested with the dispatcher stopped, then drained (latency from outbox "
      "entry)",
      f1, seconds1, cpu1, loop1);
  if (events > 0) {
    DeliveryFigures f2 = measure(produced, std::move(phase2), kVendors.size(), burst);
    report("phase 2: stream events through ingest and dispatch (latency from event ingested)", f2,
           seconds2, cpu2, loop2);
  }
  std::printf("  peak resident memory: %.1f MiB (server included)\n", peak_rss_mib());
  io.stop();
  std::filesystem::remove_all(dir);
  return 0;
}
