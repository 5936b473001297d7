// Convergence on a real Apache Kafka broker (issue 6, "Faults and chaos"), with all five vendor
// simulators in this process:
// - under chaos: the simulators inject 5xx (10%), 429 with Retry-After, connection resets and
//   latency while the opsyncd binary is killed with SIGKILL at random moments; at the end every
//   vendor agrees with the canonical roster and every event is accounted for;
// - a vendor down for a period: the other vendors stay current throughout, the down vendor's
//   backlog never exceeds one push per operator, and it catches up after recovery.
//
// Scale: the issue asks for 100,000 events over 10,000 operators and ten kills. Under this
// fault mix each 429 pauses a whole connector for its Retry-After, so 10,000 creates per vendor
// take far longer than CI can spare; the default run keeps the ten kills with 10,000 events
// over 1,000 operators (printed at the start; about two minutes). OPSYNC_CHAOS_FULL=1 runs the
// full size, and OPSYNC_CHAOS_EVENTS, OPSYNC_CHAOS_OPERATORS, OPSYNC_CHAOS_KILLS and
// OPSYNC_OUTAGE_SECONDS override single numbers. docs/testing.md has the figures.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "app/daemon.h"
#include "broker.h"
#include "kafka/mock_cluster.h"
#include "samples/sample_events.h"
#include "support/process.h"
#include "support/reference_state.h"
#include "support/temp_dir.h"
#include "support/vendor_agreement.h"
#include "support/wait.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync {
namespace {

namespace http = boost::beast::http;
using testing::ChildProcess;
using testing::KafkaBroker;
using testing::TempDir;
using vendorsim::Vendor;

// One connector instance per simulated vendor, named by its type (vendor_connectors_yaml).
const std::vector<std::string> kConnectorNames = [] {
  std::vector<std::string> out;
  for (vendorsim::Vendor v : vendorsim::kAllVendors) out.emplace_back(vendorsim::vendor_name(v));
  return out;
}();

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<std::size_t>(std::stoull(v)) : fallback;
}

bool full_size() {
  const char* v = std::getenv("OPSYNC_CHAOS_FULL");
  return v != nullptr && std::string(v) == "1";
}

std::string http_get(unsigned short port, const std::string& target) {
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return res.body();
  } catch (const std::exception&) {
    return {};  // not listening (yet, or any more)
  }
}

double metric(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// The admin port of the daemon that wrote the log after byte `from`.
unsigned short admin_port(const std::string& log_path, std::size_t from,
                          std::chrono::seconds timeout) {
  const std::regex listening(R"(event=admin_listening .*port=(\d+))");
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    const std::string log = read_file(log_path);
    std::smatch m;
    if (log.size() > from) {
      const std::string tail = log.substr(from);
      if (std::regex_search(tail, m, listening)) {
        return static_cast<unsigned short>(std::stoi(m[1]));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

std::size_t file_size(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::size_t>(n);
}

class Convergence : public ::testing::Test {
 protected:
  void SetUp() override {
    vendor_thread = std::thread([this] { vendor_io.run(); });
    brokers = broker.start();
  }
  void TearDown() override {
    sims.stop();
    vendor_thread.join();
  }

  void seed_commpeak(std::size_t operators) {
    for (std::size_t i = 0; i < operators; ++i) {
      auto seeded = sims.seed_record(
          Vendor::commpeak, {{"email", sample_operator_id(i) + "@example.com"}, {"is_active", 0}});
      ASSERT_TRUE(seeded.ok()) << seeded.error;
    }
  }

  std::string yaml(const std::string& state_dir, const std::string& extra_kafka = {}) {
    return "kafka:\n  brokers: [\"" + brokers +
           "\"]\n  topic: ops\n  group_id: convergence\n  dead_letter_topic: ops.dlq\n"
           "  properties:\n    log_level: \"3\"\n    session.timeout.ms: \"6000\"\n"
           "    reconnect.backoff.max.ms: \"500\"\n" +
           extra_kafka + "state:\n  directory: " + state_dir +
           "\n  batch_max_events: 250\nadmin:\n  listen: 127.0.0.1:0\nlogging:\n  level: info\n"
           "shutdown:\n  drain_timeout: 5s\n" +
           testing::vendor_connectors_yaml(
               sims, {}, "    rate_per_second: 100\n    burst: 100\n    concurrency: 16\n");
  }

  TempDir dir;
  KafkaBroker broker{dir.str() + "/kafka"};
  std::string brokers;
  boost::asio::io_context vendor_io;
  vendorsim::VendorSimulators sims{vendor_io, vendorsim::Options{}};
  std::thread vendor_thread;
};

TEST_F(Convergence, EveryVendorConvergesUnderFaultsAndRepeatedSigkill) {
  ASSERT_FALSE(brokers.empty());
  const bool full = full_size();
  const std::size_t operators = env_size("OPSYNC_CHAOS_OPERATORS", full ? 10000 : 1000);
  const std::size_t events = env_size("OPSYNC_CHAOS_EVENTS", full ? 100000 : 10000);
  const std::size_t kills = env_size("OPSYNC_CHAOS_KILLS", 10);
  std::printf("chaos run: %zu events over %zu operators, %zu SIGKILLs%s\n", events, operators,
              kills,
              full ? "" : " (scaled down from 100,000 / 10,000; OPSYNC_CHAOS_FULL=1 for all)");
  create_topic(brokers, "ops", 6);
  create_topic(brokers, "ops.dlq", 1);
  seed_commpeak(operators);
  const vendorsim::FaultConfig chaos{.latency_ms = 3,
                                     .error_rate = 0.10,
                                     .error_status = 503,
                                     .rate_429 = 0.03,
                                     .retry_after_s = 1,
                                     .reset_rate = 0.03,
                                     .lost_answer_rate = 0.02};
  for (Vendor v : vendorsim::kAllVendors) sims.set_faults(v, chaos);

  SampleOptions so;
  so.operators = operators;
  so.invalid_share = 0.01;
  so.seed = 2026;
  SampleEventStream stream(so);
  std::vector<SampleMessage> messages;
  for (std::size_t i = 0; i < events; ++i) messages.push_back(stream.next());

  const std::string state_dir = dir.str() + "/state";
  const std::string config_text = yaml(state_dir);
  const std::string config_path = dir.str() + "/opsync.yaml";
  std::ofstream(config_path) << config_text;
  const std::string log_path = dir.str() + "/opsyncd.log";
  const std::string db = state_dir + "/opsync.db";

  // The stream is published in kills + 1 slices; each daemon run consumes for a while and is
  // killed at a random moment (by consumption progress or by time), the last one runs to the end.
  SimpleProducer producer(brokers);
  std::mt19937 rng(7);
  std::size_t published = 0;
  auto publish_until = [&](std::size_t n) {
    for (; published < n; ++published) {
      const auto& m = messages[published];
      producer.produce("ops", m.key, m.value, m.headers);
    }
    producer.flush();
  };
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t round = 1; round <= kills; ++round) {
    publish_until(events * round / (kills + 1));
    ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config_path}, {}, log_path);
    // Kill once a random share of what is published has been consumed, or after a random time
    // (then possibly in the middle of start-up, a batch or a push).
    const auto target = static_cast<std::int64_t>(published) -
                        static_cast<std::int64_t>(rng() % (events / (kills + 1) + 1));
    const auto kill_at =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(500 + rng() % 4000);
    while (std::chrono::steady_clock::now() < kill_at && testing::consumed_offsets(db) < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    daemon.signal(SIGKILL);
    EXPECT_EQ(daemon.wait(), 128 + SIGKILL) << "round " << round;
    std::printf("  kill %zu: %lld of %zu published events consumed\n", round,
                static_cast<long long>(testing::consumed_offsets(db)), published);
  }
  publish_until(events);

  // The last run goes on until everything is consumed and every outbox is empty.
  const std::size_t log_from = file_size(log_path);
  ChildProcess daemon({OPSYNCD_PATH, "run", "--config", config_path}, {}, log_path);
  const unsigned short port = admin_port(log_path, log_from, std::chrono::seconds(60));
  ASSERT_NE(port, 0) << "no admin_listening line in " << log_path;
  std::string metrics;
  bool settled = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(full ? 60 : 5);
  while (!settled && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (testing::consumed_offsets(db) < static_cast<std::int64_t>(events)) continue;
    metrics = http_get(port, "/metrics");
    double backlog = 0;
    for (const std::string& c : kConnectorNames) {
      backlog += metric(metrics, std::string("opsync_outbox_backlog{connector=\"") + c + "\"}");
    }
    settled = backlog == 0;
  }
  ASSERT_TRUE(settled) << "consumed " << testing::consumed_offsets(db) << " of " << events
                       << "; metrics:\n"
                       << metrics;
  daemon.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(30), status));
  EXPECT_EQ(status, 0);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);

  // Nothing lost: the canonical roster and the counters equal an uninterrupted run's.
  StateStore store(state_dir);
  {
    TempDir reference_dir;
    StateStore reference(reference_dir.str());
    testing::apply_reference(reference, messages, "ops");
    EXPECT_EQ(testing::dump_operators(store), testing::dump_operators(reference));
    auto got = store.progress().load_counters();
    auto want = reference.progress().load_counters();
    for (const char* name : testing::kEventCounters) EXPECT_EQ(got[name], want[name]) << name;
    EXPECT_EQ(got["events_applied"] + got["events_unchanged"] + got["events_stale"] +
                  got["events_duplicate"] + got["events_invalid"],
              static_cast<std::int64_t>(events))
        << "every event is accounted for";
    std::printf(
        "events: %lld consumed = %lld applied + %lld unchanged + %lld stale + %lld duplicate + "
        "%lld invalid\n",
        static_cast<long long>(got["events_consumed"]),
        static_cast<long long>(got["events_applied"]),
        static_cast<long long>(got["events_unchanged"]),
        static_cast<long long>(got["events_stale"]),
        static_cast<long long>(got["events_duplicate"]),
        static_cast<long long>(got["events_invalid"]));
  }
  for (const std::string& c : kConnectorNames) EXPECT_EQ(store.outbox().size(c), 0) << c;

  // Every vendor agrees with the canonical roster.
  boost::asio::io_context io;
  const Config config = parse_config(config_text, "chaos", builtin_connectors().config_check());
  const auto connectors = testing::mapping_connectors(config, io);
  const auto records = testing::simulator_records(sims, connectors);
  const auto report = testing::check_vendor_agreement(store, connectors, records);
  std::printf("agreement after %lld s: %s\n", static_cast<long long>(elapsed.count()),
              report.summary().c_str());
  EXPECT_TRUE(report.ok()) << report.summary();
  EXPECT_EQ(report.operators, operators);
  // No vendor holds two records for one operator: lost create answers were found, not repeated
  // (issue 12, defect 4). A second record of an operator is one no operator is mapped to (the
  // roster has namesakes, so Plug Chat's names cannot tell); elsewhere natural keys (e-mail,
  // external id) must also be unique.
  for (const auto& c : connectors) {
    std::vector<std::string> orphans;
    for (const auto& r : records.at(c->name())) {
      const boost::json::value& id = r.as_object().at("id");
      const std::string text =
          id.is_string() ? std::string(id.as_string()) : boost::json::serialize(id);
      if (!store.shadows().operator_for_vendor_id(c->name(), text)) orphans.push_back(text);
    }
    EXPECT_TRUE(orphans.empty()) << c->name() << ": " << orphans.size()
                                 << " records no operator is mapped to, e.g. " << orphans.front();
    const auto vendor = vendorsim::vendor_from_name(c->type());
    if (vendor && *vendor != Vendor::plugchat) {
      EXPECT_EQ(sims.duplicates(*vendor), boost::json::array())
          << c->name() << ": " << boost::json::serialize(sims.duplicates(*vendor));
    }
  }
  const auto stats = sims.stats();
  for (const auto& [name, list] : records) {
    std::printf("  %s: %zu records, requests %s\n", name.c_str(), list.size(),
                boost::json::serialize(stats.at(name)).c_str());
  }
}

TEST_F(Convergence, AVendorDownForAPeriodHoldsBackOnlyItselfAndCatchesUp) {
  ASSERT_FALSE(brokers.empty());
  const std::size_t operators = env_size("OPSYNC_OUTAGE_OPERATORS", 200);
  const auto outage = std::chrono::seconds(env_size("OPSYNC_OUTAGE_SECONDS", 60));
  std::printf("outage run: %zu operators, iAdvize down for %lld s\n", operators,
              static_cast<long long>(outage.count()));
  create_topic(brokers, "ops", 3);
  create_topic(brokers, "ops.dlq", 1);
  seed_commpeak(operators);

  const std::string state_dir = dir.str() + "/state";
  const Config config =
      parse_config(yaml(state_dir), "outage", builtin_connectors().config_check());
  boost::asio::io_context io;
  Daemon daemon(io, config);
  daemon.start();
  const auto connectors = testing::mapping_connectors(config, io);
  SimpleProducer producer(brokers);
  SampleOptions so;
  so.operators = operators;
  so.seed = 99;
  SampleEventStream stream(so);
  std::int64_t sent = 0;
  auto send = [&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      auto m = stream.next();
      producer.produce("ops", m.key, m.value, m.headers);
      ++sent;
    }
    producer.flush();
  };
  std::size_t max_down_backlog = 0;
  auto backlog_of = [&](const std::string& name) -> std::size_t {
    for (const auto& p : daemon.connector_progress()) {
      if (p.name == name) return p.backlog;
    }
    return 0;
  };
  // Consumed everything, and every connector but `except` has an empty outbox.
  auto current = [&](const std::string& except) {
    if (daemon.stats().ingest.consumed < sent) return false;
    max_down_backlog = std::max(max_down_backlog, backlog_of("iadvize"));
    for (const auto& p : daemon.connector_progress()) {
      if (p.name != except && p.backlog != 0) return false;
    }
    return true;
  };

  send(operators);  // everyone is hired
  ASSERT_TRUE(testing::run_until(
      io, [&] { return current(""); }, std::chrono::seconds(120)));
  auto report = testing::check_vendor_agreement(daemon.store(), connectors,
                                                testing::simulator_records(sims, connectors));
  ASSERT_TRUE(report.ok()) << report.summary();

  // iAdvize goes down: every call is a 503.
  sims.set_faults(Vendor::iadvize, {.error_rate = 1.0, .error_status = 503});
  testing::AgreementOptions others;
  others.only = {"glia", "plugchat", "identitycall", "commpeak"};
  const auto outage_end = std::chrono::steady_clock::now() + outage;
  int samples = 0;
  while (std::chrono::steady_clock::now() < outage_end) {
    send(operators / 2);
    ASSERT_TRUE(testing::run_until(
        io, [&] { return current("iadvize"); }, std::chrono::seconds(30)))
        << "the other vendors fell behind during the outage (sample " << samples << ")";
    report = testing::check_vendor_agreement(daemon.store(), connectors,
                                             testing::simulator_records(sims, connectors), others);
    ASSERT_TRUE(report.ok()) << "during the outage: " << report.summary();
    const auto stored = daemon.store().outbox().size("iadvize");
    EXPECT_LE(stored, static_cast<std::int64_t>(operators));
    EXPECT_LE(max_down_backlog, operators);
    ++samples;
    testing::run_until(
        io, [] { return false; }, std::chrono::milliseconds(1000));
  }
  std::printf(
      "during the outage: %d samples, %lld events, other vendors current each time; "
      "iAdvize backlog at most %zu of %zu operators\n",
      samples, static_cast<long long>(sent), max_down_backlog, operators);
  EXPECT_GE(samples, 3);
  EXPECT_GT(max_down_backlog, 0u);
  EXPECT_LE(max_down_backlog, operators) << "at most one pending push per operator";

  // Recovery: iAdvize catches up and every vendor agrees.
  sims.set_faults(Vendor::iadvize, {});
  const auto recovered = std::chrono::steady_clock::now();
  ASSERT_TRUE(testing::run_until(
      io, [&] { return current(""); }, std::chrono::seconds(180)))
      << "iAdvize backlog " << backlog_of("iadvize");
  std::printf("iAdvize caught up %lld ms after recovery\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - recovered)
                                         .count()));
  report = testing::check_vendor_agreement(daemon.store(), connectors,
                                           testing::simulator_records(sims, connectors));
  EXPECT_TRUE(report.ok()) << report.summary();
  std::printf("after recovery: %s\n", report.summary().c_str());
  for (const auto& p : daemon.connector_progress()) EXPECT_EQ(p.rejected, 0u) << p.name;

  bool stopped = false;
  daemon.stop([&] { stopped = true; });
  testing::run_until(io, [&] { return stopped; });
}

}  // namespace
}  // namespace opsync
