// All five connectors at once (Glia, Plug Chat, IdentityCall, iAdvize, CommPeak) in the
// in-process daemon, against the five vendor simulators and librdkafka's mock cluster: a mixed
// stream of HR events converges on every vendor; a record one vendor refuses reaches the
// dead-letter topic with that vendor's words while the other four stay in sync; injected 5xx,
// 429 with Retry-After and connection resets are retried to convergence.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "app/daemon.h"
#include "framework/registry.h"
#include "kafka/mock_cluster.h"
#include "samples/sample_events.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "support/vendor_agreement.h"
#include "support/wait.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace opsync {
namespace {

namespace json = boost::json;
using testing::run_until;
using testing::TempDir;
using vendorsim::Vendor;

std::string event(const std::string& event_id, const std::string& type, const std::string& op,
                  int revision, const std::string& mode, const std::string& attributes) {
  std::string data = R"({"operator_id":")" + op + R"(","revision":)" + std::to_string(revision);
  if (!mode.empty()) data += R"(,"mode":")" + mode + "\"";
  if (!attributes.empty()) data += R"(,"attributes":)" + attributes;
  return R"({"specversion":"1.0","id":")" + event_id + R"(","source":"hr/five","type":"operator.)" +
         type + R"(","data":)" + data + "}}";
}

std::string hire_attributes(const std::string& op, const std::string& team) {
  return R"({"given_name":"Ada","family_name":"Byron","display_name":"Ada Byron","email":")" + op +
         R"(@example.com","phone":"+15550001111","active":true,"role":"operator","teams":[")" +
         team +
         R"("],"languages":["en"],"locale":"en-US","timezone":"Europe/Lisbon",)"
         R"("max_concurrent_chats":3,"channels":{"chat":true,"voice":true,"video":false}})";
}

const std::string* header(const ReadMessage& m, const std::string& name) {
  for (const auto& h : m.headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

class FiveVendors : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster.create_topic("ops", 3);
    cluster.create_topic("ops.dlq", 1);
    vendor_thread = std::thread([this] { vendor_io.run(); });
  }

  void TearDown() override {
    if (daemon) {
      bool done = false;
      daemon->stop([&] { done = true; });
      run_until(io, [&] { return done; });
      daemon.reset();
    }
    sims.stop();
    vendor_thread.join();
  }

  void start() {
    const std::string yaml =
        "kafka:\n  brokers: [\"" + cluster.bootstraps() +
        "\"]\n  topic: ops\n  group_id: five-vendors\n  dead_letter_topic: ops.dlq\n"
        "  properties:\n    log_level: \"3\"\n"
        "state:\n  directory: " +
        dir.str() + "\nadmin:\n  listen: 127.0.0.1:0\nlogging:\n  level: warn\n" +
        testing::vendor_connectors_yaml(
            sims, {}, "    rate_per_second: 100\n    burst: 100\n    concurrency: 8\n");
    Config config = parse_config(yaml, "five-vendors", builtin_connectors().config_check());
    ASSERT_EQ(config.connectors.size(), vendorsim::kVendorCount);
    daemon = std::make_unique<Daemon>(io, config);
    daemon->start();
    producer = std::make_unique<SimpleProducer>(cluster.bootstraps());
    connectors = testing::mapping_connectors(config, io);
  }

  // CommPeak cannot create users: they exist before opsync and are found by e-mail.
  void seed_commpeak(const std::string& op) {
    auto seeded =
        sims.seed_record(Vendor::commpeak, {{"email", op + "@example.com"}, {"is_active", 0}});
    ASSERT_TRUE(seeded.ok()) << seeded.error;
  }

  void send(const std::string& key, const std::string& value,
            const std::vector<MessageHeader>& headers = {}) {
    producer->produce("ops", key, value, headers);
    ++sent;
  }

  /// Everything sent is consumed and every connector's outbox is empty.
  bool converge(std::chrono::seconds deadline) {
    producer->flush();
    return run_until(
        io,
        [&] {
          if (daemon->stats().ingest.consumed < sent) return false;
          for (const auto& c : daemon->connector_progress()) {
            if (c.backlog != 0) return false;
          }
          return true;
        },
        deadline);
  }

  std::string progress() const {
    std::string out = "consumed " + std::to_string(daemon->stats().ingest.consumed) + "/" +
                      std::to_string(sent) + ";";
    for (const auto& c : daemon->connector_progress()) {
      out += " " + c.name + " ok=" + std::to_string(c.pushes_ok) +
             " retries=" + std::to_string(c.retries) + " rejected=" + std::to_string(c.rejected) +
             " backlog=" + std::to_string(c.backlog);
    }
    return out;
  }

  testing::AgreementReport agreement(const testing::AgreementOptions& options = {}) {
    return testing::check_vendor_agreement(daemon->store(), connectors,
                                           testing::simulator_records(sims, connectors), options);
  }

  /// Sends the sample HR stream (hires, changes, team moves, terminations, re-hires) for
  /// `operators` operators; returns the number of deliberately invalid messages.
  std::int64_t send_sample_stream(std::size_t operators, std::size_t events, double invalid_share) {
    for (std::size_t i = 0; i < operators; ++i) seed_commpeak(sample_operator_id(i));
    SampleOptions options;
    options.operators = operators;
    options.invalid_share = invalid_share;
    SampleEventStream stream(options);
    std::int64_t invalid = 0;
    for (std::size_t i = 0; i < events; ++i) {
      SampleMessage m = stream.next();
      invalid += m.valid ? 0 : 1;
      send(m.key, m.value, m.headers);
    }
    return invalid;
  }

  MockKafkaCluster cluster{1};
  TempDir dir;
  boost::asio::io_context io;
  boost::asio::io_context vendor_io;
  vendorsim::VendorSimulators sims{vendor_io, vendorsim::Options{}};
  std::thread vendor_thread;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<SimpleProducer> producer;
  std::vector<std::unique_ptr<Connector>> connectors;
  std::int64_t sent = 0;
};

// The simulators' table (vendorsim/vendor.h) and the connector registry
// (connectors/builtin/builtin_connectors.cc) name the same vendors: a connector registered
// without a simulator, or the other way round, fails here.
TEST(VendorTable, EveryRegisteredConnectorTypeHasASimulatorAndTheOtherWayRound) {
  std::vector<std::string> simulated;
  for (const vendorsim::VendorEntry* v : vendorsim::kVendorTable) simulated.emplace_back(v->name);
  std::sort(simulated.begin(), simulated.end());
  EXPECT_EQ(simulated, builtin_connectors().names());
  for (Vendor v : vendorsim::kAllVendors) {
    EXPECT_EQ(vendorsim::vendor_from_name(vendorsim::vendor_name(v)), v);
  }
}

TEST_F(FiveVendors, MixedStreamConvergesOnEveryVendor) {
  start();
  const std::int64_t invalid = send_sample_stream(40, 400, 0.02);
  // Clears and team moves on operators of our own, once their first push has landed (IdentityCall
  // cannot create an operator without a phone): a patch that removes the phone and the chat
  // limit and moves the team, then another move, and a termination.
  for (const std::string op : {"clr-1", "clr-2", "clr-3"}) {
    seed_commpeak(op);
    send(op, event(op + "-c", "created", op, 1, "snapshot", hire_attributes(op, "support")));
  }
  ASSERT_TRUE(converge(std::chrono::seconds(120))) << progress();
  for (const std::string op : {"clr-1", "clr-2", "clr-3"}) {
    send(op, event(op + "-u1", "updated", op, 2, "patch",
                   R"({"phone":null,"max_concurrent_chats":null,"teams":["sales"]})"));
  }
  send("clr-2", event("clr-2-u2", "updated", "clr-2", 3, "patch", R"({"teams":["vip"]})"));
  send("clr-3", event("clr-3-d", "deleted", "clr-3", 3, "", ""));
  ASSERT_TRUE(converge(std::chrono::seconds(120))) << progress();

  const auto report = agreement();
  std::printf("five vendors, mixed stream: %s\n", report.summary().c_str());
  EXPECT_TRUE(report.ok()) << report.summary();
  EXPECT_EQ(report.operators, 43u);
  EXPECT_EQ(report.pairs_checked, 43u * vendorsim::kVendorCount);

  // Every event is accounted for, and only the deliberately broken ones were dead-lettered.
  const auto& c = daemon->stats().ingest;
  EXPECT_EQ(c.consumed, sent);
  EXPECT_EQ(c.applied + c.unchanged + c.stale + c.duplicate + c.invalid, c.consumed);
  EXPECT_EQ(c.invalid, invalid);
  for (const auto& p : daemon->connector_progress()) {
    EXPECT_EQ(p.rejected, 0u) << p.name;
    EXPECT_GT(p.pushes_ok, 0u) << p.name;
  }
  ASSERT_TRUE(run_until(io, [&] { return daemon->stats().dead_letters_published >= invalid; }));
  EXPECT_EQ(daemon->stats().dead_letters_published, invalid);

  // The cleared operator: Glia and IdentityCall hold no phone any more.
  const auto glia_id = daemon->store().shadows().load_vendor_id("glia", "clr-1");
  ASSERT_TRUE(glia_id);
  for (const auto& r : sims.records(Vendor::glia)) {
    if (r.at("id").as_string() != *glia_id) continue;
    const auto* phone = r.as_object().if_contains("phone");
    EXPECT_TRUE(phone == nullptr || phone->is_null()) << json::serialize(r);
  }
}

TEST_F(FiveVendors, ARecordOneVendorRefusesIsDeadLetteredWhileTheOthersStayInSync) {
  start();
  for (const std::string op : {"emp-a", "emp-b"}) {
    seed_commpeak(op);
    send(op, event(op + "-c", "created", op, 1, "snapshot", hire_attributes(op, "support")));
  }
  ASSERT_TRUE(converge(std::chrono::seconds(60))) << progress();
  ASSERT_TRUE(agreement().ok()) << agreement().summary();

  // emp-b takes emp-a's e-mail: Glia documents e-mail as unique and refuses it; the others accept.
  send("emp-b", event("emp-b-u1", "updated", "emp-b", 2, "patch",
                      R"({"email":"emp-a@example.com","max_concurrent_chats":5})"));
  ASSERT_TRUE(converge(std::chrono::seconds(60))) << progress();

  auto letters = read_topic(cluster.bootstraps(), "ops.dlq", 2, std::chrono::seconds(5));
  ASSERT_EQ(letters.size(), 1u);
  const ReadMessage& letter = letters.front();
  EXPECT_EQ(letter.key, "emp-b");
  ASSERT_TRUE(header(letter, "opsync-dlq-reason"));
  EXPECT_EQ(*header(letter, "opsync-dlq-reason"), "vendor_rejected");
  ASSERT_TRUE(header(letter, "opsync-connector"));
  EXPECT_EQ(*header(letter, "opsync-connector"), "glia");
  ASSERT_TRUE(header(letter, "opsync-vendor-status"));
  EXPECT_EQ(*header(letter, "opsync-vendor-status"), "422");
  // The vendor's own words, in the detail header and in the body.
  ASSERT_TRUE(header(letter, "opsync-dlq-detail"));
  EXPECT_NE(header(letter, "opsync-dlq-detail")->find("has already been taken"), std::string::npos)
      << *header(letter, "opsync-dlq-detail");
  auto body = json::parse(letter.value).as_object();
  EXPECT_EQ(body.at("reason"), "vendor_rejected");
  EXPECT_EQ(body.at("operator_id"), "emp-b");
  EXPECT_NE(json::serialize(body.at("response_body")).find("has already been taken"),
            std::string::npos)
      << letter.value;
  ASSERT_TRUE(body.contains("request")) << letter.value;
  EXPECT_NE(json::serialize(body.at("request")).find("emp-a@example.com"), std::string::npos)
      << letter.value;

  for (const auto& p : daemon->connector_progress()) {
    EXPECT_EQ(p.rejected, p.name == "glia" ? 1u : 0u) << p.name;
  }
  // The others took both fields; Glia kept emp-b's old e-mail. Nothing else disagrees.
  testing::AgreementOptions options;
  options.excused = {{"emp-b", "glia"}};
  const auto report = agreement(options);
  EXPECT_TRUE(report.ok()) << report.summary();
  EXPECT_EQ(report.pairs_checked, 2u * vendorsim::kVendorCount - 1);
  const auto glia_b = daemon->store().shadows().load_vendor_id("glia", "emp-b");
  ASSERT_TRUE(glia_b);
  for (const auto& r : sims.records(Vendor::glia)) {
    if (r.at("id").as_string() == *glia_b) {
      EXPECT_EQ(r.at("email"), "emp-b@example.com");
    }
  }
}

TEST_F(FiveVendors, InjectedServerErrorsRateLimitsAndResetsAreRetriedToConvergence) {
  const vendorsim::FaultConfig faults{.latency_ms = 2,
                                      .error_rate = 0.12,
                                      .error_status = 503,
                                      .rate_429 = 0.08,
                                      .retry_after_s = 1,
                                      .reset_rate = 0.08};
  for (Vendor v : vendorsim::kAllVendors) sims.set_faults(v, faults);
  start();
  const std::int64_t invalid = send_sample_stream(30, 240, 0.0);
  ASSERT_EQ(invalid, 0);
  ASSERT_TRUE(converge(std::chrono::seconds(240))) << progress();

  const auto report = agreement();
  std::printf("five vendors under faults: %s\n", report.summary().c_str());
  EXPECT_TRUE(report.ok()) << report.summary();
  EXPECT_EQ(report.pairs_checked, 30u * vendorsim::kVendorCount);

  // Every vendor saw faults and each kind of fault happened (a vendor's few dozen requests may
  // by chance draw no 429), and the daemon retried them all: nothing was given up.
  const json::object stats = sims.stats();
  std::map<std::string, std::int64_t> kinds;
  for (const auto& p : daemon->connector_progress()) {
    const auto& by_fault = stats.at(p.type).at("by_fault").as_object();
    std::printf("  %s: pushes ok %llu, retries %llu, faults %s\n", p.name.c_str(),
                static_cast<unsigned long long>(p.pushes_ok),
                static_cast<unsigned long long>(p.retries), json::serialize(by_fault).c_str());
    std::int64_t faults = 0;
    for (const auto& [kind, n] : by_fault) {
      kinds[std::string(kind)] += n.to_number<std::int64_t>();
      faults += n.to_number<std::int64_t>();
    }
    EXPECT_GT(faults, 0) << p.name;
    EXPECT_GT(p.retries, 0u) << p.name;
    EXPECT_EQ(p.rejected, 0u) << p.name;
  }
  for (const char* kind : {"error", "429", "reset"}) EXPECT_GT(kinds[kind], 0) << kind;
  EXPECT_EQ(daemon->stats().dead_letters_published, 0);
  const auto& c = daemon->stats().ingest;
  EXPECT_EQ(c.applied + c.unchanged + c.stale + c.duplicate + c.invalid, sent);
}

}  // namespace
}  // namespace opsync
