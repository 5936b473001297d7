// The closed loop (issue 12) over real HTTP: a Delivery running each real connector (built from
// YAML as the daemon builds it) against its vendor simulator on 127.0.0.1, port 0. A record is
// changed or deleted at the simulator behind opsync's back; a reconcile pass (Delivery::
// reconcile) reads the vendor back, reports what it found and queues the repair, which the
// dispatcher sends through the normal lanes. Every wait is on a condition with a deadline.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/delivery.h"
#include "framework/registry.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "support/vendor_agreement.h"
#include "unit/dispatch/put_operator.h"
#include "unit/dispatch/run_loop.h"
#include "vendorsim/record_store.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace opsync {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using vendorsim::Vendor;

// Operator emp-1, as the other simulator tests map it to every vendor.
std::string attributes(const std::string& email = "emp-1@example.com") {
  return R"({"given_name":"Ada","family_name":"Byron","display_name":"Ada Byron","email":")" +
         email +
         R"(","phone":"+15550001111","active":true,"role":"operator","teams":["support"],)"
         R"("languages":["en"],"locale":"en-US","timezone":"Europe/Lisbon",)"
         R"("max_concurrent_chats":3,"channels":{"chat":true,"voice":true,"video":false}})";
}

// A mapped field each vendor returns on a read, edited at the vendor behind opsync's back.
std::string edited_field(Vendor vendor) {
  // Glia, Plug Chat, IdentityCall: the operator's name; iAdvize: the family name.
  return vendor == Vendor::commpeak ? "first_name" : "name";
}

// A record opsync never created and maps to no operator (a natural key of its own).
json::object stranger(Vendor vendor) {
  if (vendor == Vendor::plugchat) {
    return {{"name", "Stranger Danger"}, {"departments", json::array{}}};
  }
  if (vendor == Vendor::commpeak) {
    return {{"email", "stranger@example.com"}, {"first_name", "Stranger"}, {"is_active", 1}};
  }
  if (vendor == Vendor::iadvize) {
    return {{"email", "stranger@example.com"}, {"first_name", "Stranger"}, {"name", "Danger"}};
  }
  return {{"name", "Stranger Danger"}, {"email", "stranger@example.com"}};
}

std::string id_of(const json::value& record) {
  return vendorsim::RecordStore::key_of(record.as_object().at("id"));
}

class ReconcileFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    sims = std::make_unique<vendorsim::VendorSimulators>(sim_io, sim_options());
    sim_thread = std::thread([this] { sim_io.run(); });
  }
  void TearDown() override {
    if (delivery) {
      test::run_body(io, delivery->drain(std::chrono::steady_clock::now() + 2s));
      delivery.reset();
    }
    mirror.clear();
    sims->stop();
    sim_thread.join();
  }

  virtual vendorsim::Options sim_options() { return {}; }

  /// The connector of `vendor` against its simulator (sample settings, `extra`, no periodic
  /// passes and `reconcile_extra` in its reconcile block), run by a Delivery; `mirror` holds a
  /// second instance for mappings only.
  void start(Vendor v, const std::string& extra = {}, const std::string& reconcile_extra = {}) {
    vendor = v;
    const vendorsim::VendorEntry& entry = v.entry();
    name = std::string(entry.name);
    const std::string yaml =
        vendorsim::connector_yaml(entry, sims->base_url(v), {},
                                  extra + "    reconcile:\n      interval: 0s\n" + reconcile_extra);
    ConnectorConfig config;
    config.name = name;
    config.type = name;
    config.file = "test.yaml";
    config.settings = YAML::Load(yaml)[config.name];
    mirror = builtin_connectors().create_all({config}, io);
    ASSERT_EQ(mirror.size(), 1u);
    auto running = builtin_connectors().create_all({config}, io);
    ASSERT_EQ(running.size(), 1u);
    delivery = std::make_unique<Delivery>(io, store, reconciler, Delivery::Options{});
    delivery->start(std::move(running));  // catches up every operator already in the store
  }

  /// Runs the loop until `condition` holds (fails the test after `limit`).
  void run_until(std::function<bool()> condition, std::chrono::seconds limit = 30s) {
    test::run_body(
        io, [&]() -> asio::awaitable<void> { co_await test::wait_until(condition); }(), limit);
  }
  void deliver(std::chrono::seconds limit = 30s) {
    run_until([&] { return store.outbox().size(name) == 0; }, limit);
  }

  /// Saves emp-`id` with `attrs` and wakes its lane.
  void change(const std::string& id, const std::string& attrs) {
    test::put_operator(store, id, attrs, name);
    delivery->notify(name, id);
  }

  /// Starts a pass now and runs the loop until it ended; returns its row.
  ReconcilePassRow reconcile(std::chrono::seconds limit = 30s) {
    EXPECT_EQ(delivery->reconcile(name), ReconcileStart::started);
    const std::int64_t id = delivery->reconcile_status(name).value().id;
    std::optional<ReconcilePassRow> row;
    run_until(
        [&] {
          row = delivery->reconcile_status(name);
          return row && row->id == id && row->state != PassState::running;
        },
        limit);
    return row.value_or(ReconcilePassRow{});
  }

  std::optional<std::string> vendor_id(const std::string& op = "emp-1") {
    return store.shadows().load_vendor_id(name, op);
  }
  std::vector<DeadLetter> dead_letters() { return store.dead_letters().load(100); }
  std::string first_dead_letter() {
    auto letters = dead_letters();
    return letters.empty() ? std::string() : letters.front().value;
  }
  json::array records() const { return sims->records(vendor); }
  std::optional<json::object> record(const std::string& id) const {
    for (const auto& r : records()) {
      if (id_of(r) == id) return r.as_object();
    }
    return std::nullopt;
  }
  testing::AgreementReport agreement() {
    return testing::check_vendor_agreement(store, mirror,
                                           testing::simulator_records(*sims, mirror));
  }
  /// What the connector maps emp-`id`'s `field` to.
  json::value mapped(const std::string& id, const std::string& field) {
    auto op = store.operators().load(id);
    EXPECT_TRUE(op);
    if (!op) return nullptr;
    MapResult m = mirror.front()->map(*op);
    EXPECT_TRUE(m.ok()) << m.error;
    const json::value* v = m.fields.if_contains(field);
    return v ? *v : json::value(nullptr);
  }

  /// Puts emp-1 (pre-created at CommPeak, which cannot create users) and runs it to the vendor.
  void converge_emp1() {
    if (vendor == Vendor::commpeak) {
      ASSERT_TRUE(
          sims->seed_record(vendor, vendor.entry().precreated_operator("emp-1@example.com")).ok());
    }
    test::put_operator(store, "emp-1", attributes(), name);
  }

  asio::io_context sim_io;
  std::unique_ptr<vendorsim::VendorSimulators> sims;
  std::thread sim_thread;
  asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
  Reconciler reconciler{store, {}};
  Vendor vendor = Vendor::glia;
  std::string name;
  std::vector<std::unique_ptr<Connector>> mirror;
  std::unique_ptr<Delivery> delivery;
};

class Reconcile : public ReconcileFixture, public ::testing::WithParamInterface<std::string> {
 protected:
  /// The parameter's vendor, started with emp-1 delivered to it; `id` is emp-1's vendor id.
  /// Fails fatally (HasFatalFailure) when emp-1 was dead-lettered or has no id.
  void start_with_emp1(std::string& id) {
    vendor = param();
    converge_emp1();
    start(param());
    deliver();
    ASSERT_TRUE(dead_letters().empty()) << first_dead_letter();
    id = vendor_id().value_or("");
    ASSERT_FALSE(id.empty());
  }

  Vendor param() const { return *vendorsim::vendor_from_name(GetParam()); }
};

// A mapped field edited at the vendor is reported as drift and repaired through the outbox; a
// record opsync does not know is reported as unknown_at_vendor and left exactly as it was.
TEST_P(Reconcile, DriftIsRepairedAndUnknownRecordsAreLeftAlone) {
  std::string id;
  start_with_emp1(id);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(agreement().ok()) << agreement().summary();

  // Behind opsync's back: a field edited in the vendor's UI, and a record opsync never made.
  const std::string field = edited_field(vendor);
  const json::value want = mapped("emp-1", field);
  ASSERT_TRUE(want.is_string()) << field << " is not mapped: " << json::serialize(want);
  auto edited = sims->edit_record(vendor, id, {{field, "Mallory"}});
  ASSERT_TRUE(edited.ok()) << edited.error;
  ASSERT_NE(record(id).value().at(field), want);
  auto seeded = sims->seed_record(vendor, stranger(vendor));
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  const std::string stranger_id = id_of(seeded.record);
  const json::object stranger_before = record(stranger_id).value();

  const ReconcilePassRow pass = reconcile();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  const ReconcileCounts& k = pass.counts;
  EXPECT_EQ(k.drifted_operators, 1);
  EXPECT_EQ(k.drifted.size(), 1u) << "only the edited field drifted";
  EXPECT_EQ(k.drifted.count(field) ? k.drifted.at(field) : 0, 1) << "drift on " << field;
  EXPECT_EQ(k.in_step, 0);
  EXPECT_EQ(k.missing_at_vendor, 0);
  EXPECT_EQ(k.repairs_queued, 1);
  EXPECT_EQ(k.unknown_at_vendor, 1);
  EXPECT_EQ(k.unknown_ids, std::vector<std::string>{stranger_id});
  const ReconcileTotals totals = delivery->reconcile_totals(name);
  EXPECT_EQ(totals.finished, 1u);
  EXPECT_EQ(totals.drift_found.count(field) ? totals.drift_found.at(field) : 0u, 1u);

  // The repair goes out through the lane; the vendor holds the canonical value again.
  run_until([&] {
    auto r = record(id);
    return store.outbox().size(name) == 0 && r && r->at(field) == want;
  });
  EXPECT_TRUE(dead_letters().empty()) << first_dead_letter();
  EXPECT_EQ(vendor_id(), id);
  EXPECT_TRUE(agreement().ok()) << agreement().summary();

  // The stranger: untouched, not deleted, and still the only other record.
  auto stranger_after = record(stranger_id);
  ASSERT_TRUE(stranger_after) << "the unknown record was deleted";
  EXPECT_EQ(*stranger_after, stranger_before);
  EXPECT_EQ(records().size(), 2u);
  EXPECT_EQ(sims->duplicates(vendor), json::array{});

  // A second pass finds everything in step and queues nothing.
  const ReconcilePassRow again = reconcile();
  EXPECT_EQ(again.state, PassState::finished) << again.error;
  EXPECT_EQ(again.counts.in_step, 1);
  EXPECT_EQ(again.counts.drifted_operators, 0);
  EXPECT_EQ(again.counts.repairs_queued, 0);
  EXPECT_EQ(again.counts.unknown_at_vendor, 1);
}

INSTANTIATE_TEST_SUITE_P(Vendors, Reconcile,
                         ::testing::Values("glia", "plugchat", "identitycall", "iadvize",
                                           "commpeak"),
                         [](const auto& info) { return info.param; });

class ReconcileDeleted : public Reconcile {};

// Deleted at the vendor: the pass reports it missing_at_vendor and queues a full push, which
// resolves the operator again (lookup, else create): exactly one record, no duplicate.
TEST_P(ReconcileDeleted, ARecordDeletedAtTheVendorIsCreatedAgainExactlyOnce) {
  std::string first;
  start_with_emp1(first);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(sims->delete_record(vendor, first));
  ASSERT_EQ(records().size(), 0u);

  const ReconcilePassRow pass = reconcile();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  EXPECT_EQ(pass.counts.missing_at_vendor, 1);
  EXPECT_EQ(pass.counts.repairs_queued, 1);
  EXPECT_EQ(pass.counts.unknown_at_vendor, 0);
  EXPECT_EQ(delivery->reconcile_totals(name).missing_at_vendor, 1u);
  deliver();

  EXPECT_TRUE(dead_letters().empty()) << first_dead_letter();
  const std::string second = vendor_id().value_or("");
  ASSERT_FALSE(second.empty());
  EXPECT_NE(second, first);
  EXPECT_EQ(records().size(), 1u);
  EXPECT_EQ(sims->duplicates(vendor), json::array{});
  EXPECT_TRUE(agreement().ok()) << agreement().summary();

  // The next pass finds the new record in step: nothing more is created.
  const ReconcilePassRow again = reconcile();
  EXPECT_EQ(again.state, PassState::finished) << again.error;
  EXPECT_EQ(again.counts.in_step, 1);
  EXPECT_EQ(again.counts.missing_at_vendor, 0);
  EXPECT_EQ(again.counts.repairs_queued, 0);
  deliver();
  EXPECT_EQ(vendor_id(), second);
  EXPECT_EQ(records().size(), 1u);
  EXPECT_EQ(sims->duplicates(vendor), json::array{});
}

INSTANTIATE_TEST_SUITE_P(Vendors, ReconcileDeleted,
                         ::testing::Values("glia", "plugchat", "identitycall", "iadvize"),
                         [](const auto& info) { return info.param; });

class ReconcileDeletedCommPeak : public Reconcile {};

// CommPeak has no create call (vendors.md). A user deleted there and added again by hand under
// a new id is found by its e-mail; one that is simply gone is dead-lettered, saying why, and its
// dead id is forgotten.
TEST_P(ReconcileDeletedCommPeak, AUserDeletedThereIsFoundAgainByEmailOrDeadLettered) {
  std::string first;
  start_with_emp1(first);
  if (HasFatalFailure()) return;

  // Deleted, then added again by hand: the pass reports the old id missing, the full push finds
  // the new user by e-mail and updates it.
  ASSERT_TRUE(sims->delete_record(vendor, first));
  auto again = sims->seed_record(vendor, vendor.entry().precreated_operator("emp-1@example.com"));
  ASSERT_TRUE(again.ok()) << again.error;
  const std::string second = id_of(again.record);
  ReconcilePassRow pass = reconcile();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  EXPECT_EQ(pass.counts.missing_at_vendor, 1);
  EXPECT_EQ(pass.counts.unknown_at_vendor, 1) << "the new user is not mapped yet";
  deliver();
  EXPECT_TRUE(dead_letters().empty()) << first_dead_letter();
  EXPECT_EQ(vendor_id(), second);
  EXPECT_EQ(records().size(), 1u);
  EXPECT_EQ(sims->duplicates(vendor), json::array{});
  EXPECT_TRUE(agreement().ok()) << agreement().summary();

  // Deleted for good: nothing to find and nothing to create with.
  ASSERT_TRUE(sims->delete_record(vendor, second));
  pass = reconcile();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  EXPECT_EQ(pass.counts.missing_at_vendor, 1);
  run_until([&] { return store.outbox().size(name) == 0 && !dead_letters().empty(); });
  const std::vector<DeadLetter> letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_NE(letters[0].value.find("no create call"), std::string::npos) << letters[0].value;
  EXPECT_FALSE(vendor_id()) << "the dead id is forgotten";
  EXPECT_EQ(records().size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Vendors, ReconcileDeletedCommPeak, ::testing::Values("commpeak"),
                         [](const auto& info) { return info.param; });

class ReconcileExternalIds : public ReconcileFixture {};

// An operator addressed through the event's external_ids (how a CommPeak user that is not found
// by e-mail is reached, docs/operations.md) is mapped to that vendor like one opsync looked up:
// a pass compares its record (drift found and repaired) and does not report it as unknown.
TEST_F(ReconcileExternalIds, AnOperatorAddressedByItsExternalIdIsReconciled) {
  vendor = Vendor::commpeak;
  auto seeded = sims->seed_record(
      vendor, {{"email", "someone-else@example.com"}, {"first_name", "Old"}, {"is_active", 1}});
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  const std::string id = id_of(seeded.record);
  test::put_operator(store, "emp-1",
                     R"({"given_name":"Ada","family_name":"Byron","email":"emp-1@example.com",)"
                     R"("active":true,"external_ids":{"commpeak":")" +
                         id + R"("}})",
                     "");
  start(Vendor::commpeak);
  deliver();
  ASSERT_TRUE(dead_letters().empty()) << first_dead_letter();
  ASSERT_EQ(record(id).value().at("first_name"), "Ada");
  EXPECT_EQ(vendor_id(), id) << "the id the vendor accepted a push to is the mapping";

  ASSERT_TRUE(sims->edit_record(vendor, id, {{"first_name", "Mallory"}}).ok());
  const ReconcilePassRow pass = reconcile();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  EXPECT_EQ(pass.counts.unknown_at_vendor, 0) << "its own record reported as unknown";
  EXPECT_EQ(pass.counts.drifted_operators, 1);
  EXPECT_EQ(pass.counts.repairs_queued, 1);
  run_until([&] {
    auto r = record(id);
    return store.outbox().size(name) == 0 && r && r->at("first_name") == "Ada";
  });
  EXPECT_TRUE(dead_letters().empty()) << first_dead_letter();
}

// ---- Rate limit -------------------------------------------------------------------------------

std::int64_t system_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Receipt {
  std::int64_t time_us = 0;
  std::string method;
  std::string target;
  std::string body;
};

// Over any window W of `at_us`, at most burst + (W + slack) * rate requests: a request admitted
// at t arrives at t plus the loopback's delay, which `slack` bounds (generous: the suite runs
// under ASan on busy machines; at these rates it forgives less than half a request). Returns the
// largest count over the limit (0: none).
std::size_t over_limit(const std::vector<std::int64_t>& at_us, double rate, double burst,
                       std::chrono::microseconds slack = 100ms) {
  std::size_t worst = 0;
  for (std::size_t i = 0; i < at_us.size(); ++i) {
    for (std::size_t j = i; j < at_us.size(); ++j) {
      const double window = static_cast<double>(at_us[j] - at_us[i] + slack.count()) / 1e6;
      if (static_cast<double>(j - i + 1) > burst + window * rate + 1e-9) {
        worst = std::max(worst, j - i + 1);
      }
    }
  }
  return worst;
}

// CommPeak with its list call refused: a pass reads one mapped id at a time (GET
// /api/users/{id}), which makes it long, and the vendor is limited to a scaled-down 60 requests
// a minute (4/s, burst 2; a pass may use half of it).
class ReconcileRateLimit : public ReconcileFixture {
 protected:
  static constexpr double kRate = 4;
  static constexpr double kBurst = 2;
  static constexpr double kShare = 0.5;

  vendorsim::Options sim_options() override {
    vendorsim::Options options;
    options.record_receipts = true;
    options.commpeak.list_users = false;
    return options;
  }

  std::vector<Receipt> receipts() const {
    std::vector<Receipt> out;
    const json::object log = sims->receipts(Vendor::commpeak).value();
    for (const auto& r : log.at("receipts").as_array()) {
      const json::object& o = r.as_object();
      out.push_back(
          {o.at("time_us").to_number<std::int64_t>(), std::string(o.at("method").as_string()),
           std::string(o.at("target").as_string()), std::string(o.at("body").as_string())});
    }
    return out;
  }

  static std::string user_id(int i) { return std::to_string(101 + i); }
  static std::string op_id(int i) { return "emp-" + std::to_string(i); }
  static std::string op_attributes(int i, const std::string& given) {
    const std::string n = std::to_string(i);
    return R"({"given_name":")" + given + R"(","family_name":"Op)" + n + R"(","email":"op)" + n +
           R"(@example.com","active":true,"external_ids":{"commpeak":")" + user_id(i) + R"("}})";
  }
};

// While a pass reads 12 users one by one, three operators change: their writes reach CommPeak
// before the pass's last read, and no window ever held more requests than the budget allows
// (in all, and for the pass's reads alone).
TEST_F(ReconcileRateLimit, APassKeepsToTheVendorsBudgetAndLiveWritesGoFirst) {
  constexpr int kOperators = 12;
  vendor = Vendor::commpeak;
  for (int i = 0; i < kOperators; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(sims->seed_record(Vendor::commpeak, {{"id", 101 + i},
                                                     {"email", "op" + n + "@example.com"},
                                                     {"first_name", "Old"},
                                                     {"is_active", 1}})
                    .ok());
    test::put_operator(store, op_id(i), op_attributes(i, "Ada"), "");
  }
  start(Vendor::commpeak, "    concurrency: 4\n    rate_per_second: 4\n    burst: 2\n",
        "      rate_share: 0.5\n");
  deliver(60s);  // 12 updates at 4/s
  ASSERT_TRUE(dead_letters().empty()) << first_dead_letter();
  for (int i = 0; i < kOperators; ++i) ASSERT_EQ(vendor_id(op_id(i)), user_id(i));
  ASSERT_TRUE(agreement().ok()) << agreement().summary();

  ASSERT_EQ(delivery->reconcile(name), ReconcileStart::started);
  const std::int64_t pass_id = delivery->reconcile_status(name).value().id;
  auto status = [&] { return delivery->reconcile_status(name).value(); };
  run_until([&] { return status().counts.read >= 2 || status().state != PassState::running; });
  ASSERT_EQ(status().state, PassState::running) << "the pass ended before the live changes";
  ASSERT_EQ(status().mode, "read") << "the refused list call makes it read id by id";

  // Live changes while the pass runs.
  const std::vector<int> live{3, 7, 10};
  const std::int64_t changed_at = system_us();
  for (int i : live) change(op_id(i), op_attributes(i, "Live" + std::to_string(i)));
  run_until([&] { return status().id == pass_id && status().state != PassState::running; }, 60s);
  deliver();

  const ReconcilePassRow pass = status();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  EXPECT_EQ(pass.mode, "read");
  EXPECT_EQ(pass.counts.read, kOperators);
  EXPECT_EQ(pass.counts.missing_at_vendor, 0);
  EXPECT_EQ(pass.counts.unknown_at_vendor, 0);
  EXPECT_TRUE(dead_letters().empty()) << first_dead_letter();
  EXPECT_TRUE(agreement().ok()) << agreement().summary();

  const std::vector<Receipt> all = receipts();
  std::vector<std::int64_t> at, reads, background;
  std::map<std::string, std::int64_t> first_live_write;  // by the live name it sent
  std::size_t list_calls = 0;
  for (const Receipt& r : all) {
    at.push_back(r.time_us);
    if (r.method == "GET" && r.target == "/api/users") {
      ++list_calls;
      background.push_back(r.time_us);
    }
    if (r.method == "GET" && r.target.starts_with("/api/users/")) {
      reads.push_back(r.time_us);
      background.push_back(r.time_us);
    }
    for (int i : live) {
      const std::string sent = "\"Live" + std::to_string(i) + "\"";
      if (r.method == "PUT" && r.body.find(sent) != std::string::npos) {
        first_live_write.try_emplace(sent, r.time_us);
      }
    }
  }
  EXPECT_EQ(list_calls, 1u) << "one list call, refused";
  ASSERT_EQ(reads.size(), static_cast<std::size_t>(kOperators));
  ASSERT_EQ(first_live_write.size(), live.size()) << "every live change reached CommPeak";

  // The budget: every request, and the pass's share (the list call and the reads).
  EXPECT_EQ(over_limit(at, kRate, kBurst), 0u)
      << "a window held more than burst " << kBurst << " + window * " << kRate << "/s";
  EXPECT_EQ(over_limit(background, kRate * kShare, 1), 0u)
      << "the pass's reads took more than their share";

  // Priority: every live write arrived before the pass's last read, and while they waited the
  // pass got at most the read that was already admitted (plus one for timing at the edges).
  std::int64_t last_write = 0;
  for (const auto& [sent, t] : first_live_write) last_write = std::max(last_write, t);
  EXPECT_LT(last_write, reads.back()) << "a live write waited for the pass to finish";
  const auto reads_meanwhile = std::count_if(
      reads.begin(), reads.end(), [&](std::int64_t t) { return t > changed_at && t < last_write; });
  EXPECT_LE(reads_meanwhile, 2) << "background reads went ahead of waiting live writes";
}

}  // namespace
}  // namespace opsync
