#include "app/demo.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "app/daemon.h"
#include "app/logging.h"
#include "kafka/mock_cluster.h"
#include "samples/sample_events.h"
#include "store/state_store.h"

namespace opsync {
namespace {

constexpr const char* kTopic = "operators";
constexpr const char* kDeadLetterTopic = "operators.dlq";

Config demo_config(const std::string& brokers, const std::string& state_dir) {
  Config c;
  c.kafka.brokers = {brokers};
  c.kafka.topic = kTopic;
  c.kafka.group_id = "opsyncd-demo";
  c.kafka.dead_letter_topic = kDeadLetterTopic;
  c.kafka.properties["log_level"] = "3";
  c.state.directory = state_dir;
  c.logging.level = "warn";
  return c;
}

}  // namespace

int run_demo(const DemoOptions& options) {
  setup_logging("warn", "logfmt");
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::string state_dir = options.state_directory;
  const bool temporary = state_dir.empty();
  if (temporary) {
    std::random_device rd;
    state_dir =
        (std::filesystem::temp_directory_path() / ("opsync-demo-" + std::to_string(rd()))).string();
  }

  std::printf("opsync demo: an embedded Kafka broker, %zu operators, %zu HR events\n",
              options.operators, options.events);
  MockKafkaCluster cluster(1);
  cluster.create_topic(kTopic, 3);
  cluster.create_topic(kDeadLetterTopic, 1);

  boost::asio::io_context io(1);
  Daemon daemon(io, demo_config(cluster.bootstraps(), state_dir));
  daemon.start();

  // The HR system: publishes the sample stream at a steady rate from its own thread.
  std::atomic<std::size_t> published{0};
  std::atomic<std::size_t> invalid_published{0};
  std::atomic<bool> producer_failed{false};
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
        const auto due = start + std::chrono::microseconds(1000000 * (i + 1) / options.rate);
        std::this_thread::sleep_until(due);
      }
      producer.flush();
    } catch (const std::exception& e) {
      spdlog::error("event=demo_producer_failed error=\"{}\"", e.what());
      producer_failed = true;
    }
  });

  boost::asio::steady_timer ticker(io);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  bool timed_out = false;
  std::function<void()> tick = [&] {
    const auto& s = daemon.stats();
    std::printf(
        "%sevents published %zu  consumed %lld  applied %lld  unchanged %lld  stale %lld  "
        "invalid %lld  dead letters published %lld%s",
        tty ? "\r" : "", published.load(), static_cast<long long>(s.ingest.consumed),
        static_cast<long long>(s.ingest.applied), static_cast<long long>(s.ingest.unchanged),
        static_cast<long long>(s.ingest.stale), static_cast<long long>(s.ingest.invalid),
        static_cast<long long>(s.dead_letters_published), tty ? "" : "\n");
    std::fflush(stdout);
    const bool all_consumed = published.load() == options.events &&
                              static_cast<std::size_t>(s.ingest.consumed) >= options.events &&
                              daemon.store().dead_letter_backlog() == 0;
    if (all_consumed || producer_failed || std::chrono::steady_clock::now() > deadline) {
      timed_out = !all_consumed;
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

  // Summary, read back from the state store the daemon left behind.
  int exit_code = timed_out || producer_failed ? 1 : 0;
  {
    StateStore store(state_dir);
    std::int64_t active = 0, deleted = 0;
    store.for_each_operator(
        [&](const CanonicalOperator& op) { (op.deleted ? deleted : active)++; });
    auto counters = store.load_counters();
    std::printf("\nSummary\n");
    std::printf("  roster        %lld operators (%lld active, %lld deleted)\n",
                static_cast<long long>(active + deleted), static_cast<long long>(active),
                static_cast<long long>(deleted));
    std::printf(
        "  events        %lld consumed: %lld applied, %lld unchanged, %lld stale, "
        "%lld duplicate, %lld invalid\n",
        static_cast<long long>(counters["events_consumed"]),
        static_cast<long long>(counters["events_applied"]),
        static_cast<long long>(counters["events_unchanged"]),
        static_cast<long long>(counters["events_stale"]),
        static_cast<long long>(counters["events_duplicate"]),
        static_cast<long long>(counters["events_invalid"]));
    std::printf("  dead letters  %zu invalid events published, %lld still waiting\n",
                invalid_published.load(), static_cast<long long>(store.dead_letter_backlog()));
    std::printf("  state         %s\n", store.path().c_str());
  }
  if (timed_out) std::printf("demo: timed out before every event was consumed\n");
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir, ec);
  }
  return exit_code;
}

}  // namespace opsync
