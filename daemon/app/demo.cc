#include "app/demo.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "app/daemon.h"
#include "app/logging.h"
#include "framework/registry.h"
#include "kafka/mock_cluster.h"
#include "samples/sample_events.h"
#include "store/state_store.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

using vendorsim::Vendor;

constexpr const char* kTopic = "operators";
constexpr const char* kDeadLetterTopic = "operators.dlq";
constexpr std::array kVendors = {Vendor::glia, Vendor::plugchat, Vendor::identitycall,
                                 Vendor::iadvize, Vendor::commpeak};
constexpr std::array kVendorNames = {"glia", "plugchat", "identitycall", "iadvize", "commpeak"};

// The simulators' default credentials (docs/vendorsim.md), handed to the daemon through the
// environment, the way a production configuration refers to secrets.
void export_demo_credentials() {
  ::setenv("DEMO_GLIA_KEY_ID", "opsync-glia-key-id", 1);
  ::setenv("DEMO_GLIA_KEY_SECRET", "opsync-glia-key-secret", 1);
  ::setenv("DEMO_PLUGCHAT_TOKEN", "opsync-plugchat-integrator-token", 1);
  ::setenv("DEMO_IDENTITYCALL_KEY", "idc_opsyncsimfullaccess0000000000001", 1);
  ::setenv("DEMO_IADVIZE_KEY", "opsync-iadvize-rest-key", 1);
  ::setenv("DEMO_COMMPEAK_PASSWORD", "opsync-commpeak-password", 1);
}

std::string demo_yaml(const std::string& brokers, const std::string& state_dir,
                      const vendorsim::VendorSimulators& sims) {
  auto url = [&](Vendor v) { return sims.base_url(v); };
  return "kafka:\n  brokers: [\"" + brokers + "\"]\n  topic: " + kTopic +
         "\n  group_id: opsyncd-demo\n  dead_letter_topic: " + kDeadLetterTopic +
         "\n  properties:\n    log_level: \"3\"\n"
         "state:\n  directory: " +
         state_dir +
         "\n"
         "admin:\n  listen: 127.0.0.1:0\n"
         "logging:\n  level: error\n"
         "shutdown:\n  drain_timeout: 5s\n"
         "connectors:\n"
         "  glia:\n    type: glia\n    base_url: " +
         url(Vendor::glia) +
         "\n    api_key_id: ${DEMO_GLIA_KEY_ID}\n    api_key_secret: ${DEMO_GLIA_KEY_SECRET}\n"
         "    create_missing: true\n    site_id: 5a1e0000-0000-4000-8000-000000000001\n"
         "    teams:\n      support: 7e000000-0000-4000-8000-000000000001\n"
         "      sales: 7e000000-0000-4000-8000-000000000002\n"
         "      billing: 7e000000-0000-4000-8000-000000000003\n"
         "      retention: 7e000000-0000-4000-8000-000000000004\n"
         "      vip: 7e000000-0000-4000-8000-000000000005\n"
         "      onboarding: 7e000000-0000-4000-8000-000000000006\n"
         "    rate_per_second: 200\n    burst: 50\n    concurrency: 8\n"
         "  plugchat:\n    type: plugchat\n    base_url: " +
         url(Vendor::plugchat) +
         "\n    account_id: opsync-account\n    integrator_token: ${DEMO_PLUGCHAT_TOKEN}\n"
         "    create_missing: true\n"
         "    teams: {support: dep-support, sales: dep-sales, billing: dep-billing, "
         "retention: dep-retention, vip: dep-vip, onboarding: dep-onboarding}\n"
         "    rate_per_second: 200\n    burst: 50\n    concurrency: 8\n"
         "  identitycall:\n    type: identitycall\n    base_url: " +
         url(Vendor::identitycall) +
         "/api/v1/public\n    api_key: ${DEMO_IDENTITYCALL_KEY}\n    create_missing: true\n"
         "    rate_per_second: 100\n    burst: 50\n    concurrency: 8\n"
         "  iadvize:\n    type: iadvize\n    base_url: " +
         url(Vendor::iadvize) +
         "/api/2\n    api_key: ${DEMO_IADVIZE_KEY}\n    create_missing: true\n"
         "    teams: {support: \"1201\", sales: \"1202\", billing: \"1203\", retention: \"1204\", "
         "vip: \"1205\", onboarding: \"1206\"}\n"
         "    languages: {pt: en}\n"
         "    rate_per_second: 200\n    burst: 50\n    concurrency: 8\n"
         "  commpeak:\n    type: commpeak\n    base_url: " +
         url(Vendor::commpeak) +
         "\n    username: opsync\n    password: ${DEMO_COMMPEAK_PASSWORD}\n"
         "    time_zones: {Europe/Lisbon: 42, America/Sao_Paulo: 12, Europe/Berlin: 44, "
         "America/New_York: 7, Asia/Tokyo: 88, Europe/Paris: 43}\n"
         "    languages: {en: en_US, pt: pt_BR, es: es_ES, fr: en_US, de: en_US}\n"
         "    rate_per_second: 200\n    burst: 50\n    concurrency: 8\n";
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
      "opsync demo: an embedded Kafka broker, five vendor simulators, %zu operators, "
      "%zu HR events\n",
      options.operators, options.events);
  MockKafkaCluster cluster(1);
  cluster.create_topic(kTopic, 3);
  cluster.create_topic(kDeadLetterTopic, 1);

  // The vendors, on a thread of their own.
  boost::asio::io_context vendor_io(1);
  vendorsim::VendorSimulators sims(vendor_io, vendorsim::Options{});
  std::thread vendor_thread([&] { vendor_io.run(); });
  // CommPeak has no create call: its users exist before opsync, found by e-mail.
  for (std::size_t i = 0; i < options.operators; ++i) {
    sims.seed_record(Vendor::commpeak,
                     {{"email", sample_operator_id(i) + "@example.com"}, {"is_active", 0}});
  }

  export_demo_credentials();
  Config config;
  try {
    config = parse_config(demo_yaml(cluster.bootstraps(), state_dir, sims), "demo",
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
    for (std::size_t i = 0; i < kVendors.size(); ++i) {
      const Vendor v = kVendors[i];
      const ConnectorProgress* p = nullptr;
      for (const auto& c : progress) {
        if (c.name == kVendorNames[i]) p = &c;
      }
      const auto* vs = stats.if_contains(kVendorNames[i]);
      const long long requests = vs && vs->is_object() && vs->as_object().contains("total")
                                     ? vs->as_object().at("total").to_number<long long>()
                                     : 0;
      std::printf("  %-13s %9lld %9zu %9llu %9llu %9llu %9lld\n", kVendorNames[i], requests,
                  sims.records(v).size(), p ? static_cast<unsigned long long>(p->pushes_ok) : 0ull,
                  p ? static_cast<unsigned long long>(p->retries) : 0ull,
                  p ? static_cast<unsigned long long>(p->rejected) : 0ull,
                  static_cast<long long>(store.outbox().size(kVendorNames[i])));
    }
    std::uint64_t pushes = 0;
    for (const auto& c : progress) pushes += c.pushes_ok;
    std::printf(
        "\n  %zu HR events (%zu invalid) became %llu vendor pushes: %.2f per event per vendor, "
        "because changes to one operator coalesce into one partial update.\n",
        published.load(), invalid_published.load(), static_cast<unsigned long long>(pushes),
        static_cast<double>(pushes) / static_cast<double>(published.load() * kVendors.size()));
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
