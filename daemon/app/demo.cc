#include "app/demo.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string_view>
#include <thread>

#include "app/daemon.h"
#include "app/logging.h"
#include "framework/registry.h"
#include "kafka/mock_cluster.h"
#include "samples/sample_events.h"
#include "store/state_store.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace opsync {
namespace {

using vendorsim::Vendor;

constexpr const char* kTopic = "operators";
constexpr const char* kDeadLetterTopic = "operators.dlq";

// The simulators' default credentials (docs/vendorsim.md), handed to the daemon through the
// environment, the way a production configuration refers to secrets: each credential line
// `key: value` of a vendor becomes `key: ${DEMO_<VENDOR>_<KEY>}`.
vendorsim::VendorCredentials export_demo_credentials() {
  vendorsim::VendorCredentials out;
  for (const Vendor v : vendorsim::kAllVendors) {
    std::string lines;
    std::string_view rest = v.entry().credentials;
    while (!rest.empty()) {
      const auto end = std::min(rest.find('\n'), rest.size());
      const std::string_view line = rest.substr(0, end);
      rest.remove_prefix(std::min(end + 1, rest.size()));
      const auto colon = line.find(": ");
      if (colon == std::string_view::npos) continue;
      const auto start = line.find_first_not_of(' ');
      const std::string key(line.substr(start, colon - start));
      std::string variable = "DEMO_" + std::string(v.entry().name) + "_" + key;
      for (char& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      ::setenv(variable.c_str(), std::string(line.substr(colon + 2)).c_str(), 1);
      lines += (lines.empty() ? "" : "\n    ") + key + ": ${" + variable + "}";
    }
    out[std::string(v.entry().name)] = lines;
  }
  return out;
}

std::string demo_yaml(const std::string& brokers, const std::string& state_dir,
                      const vendorsim::VendorSimulators& sims,
                      const vendorsim::VendorCredentials& credentials) {
  return "kafka:\n  brokers: [\"" + brokers + "\"]\n  topic: " + kTopic +
         "\n  group_id: opsyncd-demo\n  dead_letter_topic: " + kDeadLetterTopic +
         "\n  properties:\n    log_level: \"3\"\n"
         "state:\n  directory: " +
         state_dir +
         "\n"
         "admin:\n  listen: 127.0.0.1:0\n"
         "logging:\n  level: error\n"
         "shutdown:\n  drain_timeout: 5s\n" +
         // Every simulated vendor, at 200 requests a second or the most its schema allows.
         vendorsim::connectors_yaml(sims, credentials, [](const vendorsim::VendorEntry& v) {
           char limits[128];
           std::snprintf(limits, sizeof limits,
                         "    rate_per_second: %g\n    burst: %ld\n    concurrency: 8\n",
                         std::min(200.0, v.max_rate_per_second), std::min(50L, v.max_burst));
           return std::string(limits);
         });
}

}  // namespace

int run_demo(const DemoOptions& options) {
  // Dead-lettered demo events are counted on the progress line; only errors are logged.
  setup_logging("error", "logfmt");
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::string state_dir = options.state_directory;
  const bool temporary = state_dir.empty();
  if (temporary) {
    std::random_device rd;
    state_dir =
        (std::filesystem::temp_directory_path() / ("opsync-demo-" + std::to_string(rd()))).string();
  }

  std::printf(
      "opsync demo: an embedded Kafka broker, %zu vendor simulators, %zu operators, "
      "%zu HR events\n",
      vendorsim::kVendorCount, options.operators, options.events);
  MockKafkaCluster cluster(1);
  cluster.create_topic(kTopic, 3);
  cluster.create_topic(kDeadLetterTopic, 1);

  // The vendors, on a thread of their own.
  boost::asio::io_context vendor_io(1);
  vendorsim::VendorSimulators sims(vendor_io, vendorsim::Options{});
  std::thread vendor_thread([&] { vendor_io.run(); });
  // A vendor that cannot create operators (CommPeak) has them before opsync, found by e-mail.
  for (Vendor v : vendorsim::kAllVendors) {
    if (v.entry().precreated_operator == nullptr) continue;
    for (std::size_t i = 0; i < options.operators; ++i) {
      sims.seed_record(v, v.entry().precreated_operator(sample_operator_id(i) + "@example.com"));
    }
  }

  const vendorsim::VendorCredentials credentials = export_demo_credentials();
  Config config;
  try {
    config = parse_config(demo_yaml(cluster.bootstraps(), state_dir, sims, credentials), "demo",
                          builtin_connectors().config_check());
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "demo: configuration error:\n%s\n", e.what());
    sims.stop();
    vendor_thread.join();
    return 1;
  }

  boost::asio::io_context io(1);
  Daemon daemon(io, config);
  daemon.start();

  // The HR system: publishes the sample stream at a steady rate from its own thread.
  std::atomic<std::size_t> published{0};
  std::atomic<std::size_t> invalid_published{0};
  std::atomic<bool> producer_failed{false};
  // iAdvize goes down (503 on every call) for three seconds once its pushes are flowing.
  bool outage = false, outage_done = false;
  std::chrono::steady_clock::time_point outage_end;
  std::vector<ConnectorProgress> progress;
  std::thread hr([&] {
    try {
      SimpleProducer producer(cluster.bootstraps());
      SampleOptions so;
      so.operators = options.operators;
      so.invalid_share = 0.01;
      SampleEventStream stream(so);
      const auto start = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < options.events; ++i) {
        SampleMessage m = stream.next();
        producer.produce(kTopic, m.key, m.value, m.headers);
        if (!m.valid) ++invalid_published;
        ++published;
        std::this_thread::sleep_until(start +
                                      std::chrono::microseconds(1000000 * (i + 1) / options.rate));
      }
      producer.flush();
    } catch (const std::exception& e) {
      spdlog::error("event=demo_producer_failed error=\"{}\"", e.what());
      producer_failed = true;
    }
  });

  boost::asio::steady_timer ticker(io);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  bool timed_out = false;
  std::function<void()> tick = [&] {
    const auto& s = daemon.stats();
    if (outage && std::chrono::steady_clock::now() > outage_end) {
      sims.set_faults(Vendor::iadvize, {});
      outage = false;
      outage_done = true;
    }
    std::string pushes;
    std::uint64_t retries = 0, rejected = 0;
    std::size_t backlog = 0;
    progress = daemon.connector_progress();
    for (const auto& c : progress) {
      if (c.name == "iadvize" && c.pushes_ok > 0 && !outage && !outage_done) {
        sims.set_faults(Vendor::iadvize, {.error_rate = 1.0, .error_status = 503});
        outage = true;
        outage_end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      }
      pushes += " " + c.name + "=" + std::to_string(c.pushes_ok);
      retries += c.retries;
      rejected += c.rejected;
      backlog += c.backlog;
    }
    std::printf("%sevents %zu/%lld  pushes%s  retries %llu  backlog %zu  dead letters %lld%s%s",
                tty ? "\r\033[K" : "", published.load(), static_cast<long long>(s.ingest.consumed),
                pushes.c_str(), static_cast<unsigned long long>(retries), backlog,
                static_cast<long long>(s.ingest.invalid + static_cast<std::int64_t>(rejected)),
                outage ? "  [iadvize down]" : "", tty ? "" : "\n");
    std::fflush(stdout);
    const bool done = published.load() == options.events && !outage && outage_done &&
                      static_cast<std::size_t>(s.ingest.consumed) >= options.events &&
                      backlog == 0 && daemon.store().dead_letters().backlog() == 0;
    if (done || producer_failed || std::chrono::steady_clock::now() > deadline) {
      timed_out = !done;
      daemon.stop([&] { io.stop(); });
      return;
    }
    ticker.expires_after(std::chrono::milliseconds(tty ? 200 : 1000));
    ticker.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  tick();
  io.run();
  hr.join();
  std::printf("\n");

  int exit_code = timed_out || producer_failed ? 1 : 0;
  {
    StateStore store(state_dir);
    std::int64_t active = 0, deleted = 0;
    store.operators().for_each(
        [&](const CanonicalOperator& op) { (op.deleted ? deleted : active)++; });
    auto counters = store.progress().load_counters();
    std::printf("\nSummary\n");
    std::printf("  roster        %lld operators (%lld active, %lld deleted)\n",
                static_cast<long long>(active + deleted), static_cast<long long>(active),
                static_cast<long long>(deleted));
    std::printf(
        "  events        %lld consumed: %lld applied, %lld unchanged, %lld stale, "
        "%lld duplicate, %lld invalid (dead-lettered)\n",
        static_cast<long long>(counters["events_consumed"]),
        static_cast<long long>(counters["events_applied"]),
        static_cast<long long>(counters["events_unchanged"]),
        static_cast<long long>(counters["events_stale"]),
        static_cast<long long>(counters["events_duplicate"]),
        static_cast<long long>(counters["events_invalid"]));
    std::printf("\n  %-13s %9s %9s %9s %9s %9s %9s\n", "vendor", "requests", "records", "pushes",
                "retries", "rejected", "pending");
    auto stats = sims.stats();
    for (const Vendor v : vendorsim::kAllVendors) {
      const std::string name(vendorsim::vendor_name(v));
      const ConnectorProgress* p = nullptr;
      for (const auto& c : progress) {
        if (c.name == name) p = &c;
      }
      const auto* vs = stats.if_contains(name);
      const long long requests = vs && vs->is_object() && vs->as_object().contains("total")
                                     ? vs->as_object().at("total").to_number<long long>()
                                     : 0;
      std::printf("  %-13s %9lld %9zu %9llu %9llu %9llu %9lld\n", name.c_str(), requests,
                  sims.records(v).size(), p ? static_cast<unsigned long long>(p->pushes_ok) : 0ull,
                  p ? static_cast<unsigned long long>(p->retries) : 0ull,
                  p ? static_cast<unsigned long long>(p->rejected) : 0ull,
                  static_cast<long long>(store.outbox().size(name)));
    }
    std::uint64_t pushes = 0;
    for (const auto& c : progress) pushes += c.pushes_ok;
    std::printf(
        "\n  %zu HR events (%zu invalid) became %llu vendor pushes: %.2f per event per vendor, "
        "because changes to one operator coalesce into one partial update.\n",
        published.load(), invalid_published.load(), static_cast<unsigned long long>(pushes),
        static_cast<double>(pushes) /
            static_cast<double>(published.load() * vendorsim::kVendorCount));
    std::printf(
        "  iAdvize was down for 3 s mid-stream; its pushes were retried until it caught up.\n");
    std::printf("  Dead letters (invalid events, vendor refusals) are on the topic %s.\n",
                kDeadLetterTopic);
  }
  sims.stop();
  vendor_thread.join();
  if (timed_out) std::printf("demo: timed out before everything was delivered\n");
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir, ec);
  }
  return exit_code;
}

}  // namespace opsync
