// Reconcile passes against a scripted fake vendor: drift corrects the shadow and queues a push,
// a vanished id is forgotten and pushed in full, unknown records are only reported, a vendor
// without a list is read id by id, failed reads are retried then abandon the pass, and a pass
// stopped half way is resumed from its cursor and never reported as finished before it is.

#include "dispatch/reconcile_pass.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "common/request_budget.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "unit/dispatch/fake_connector.h"
#include "unit/dispatch/put_operator.h"
#include "unit/dispatch/run_loop.h"

namespace opsync {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;
using namespace std::chrono_literals;

/// A vendor that answers reads from `records` (vendor id -> fields), `page_size` per page with
/// the page cursor "p<index>". `list_supported` false: the list answers unsupported. Pages in
/// `held_pages` wait until removed; `failures` answers that many reads with a retryable failure.
class ScriptedVendor final : public test::FakeConnector {
 public:
  ScriptedVendor() { delivery.reconcile_interval = 0ms; }

  asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override {
    list_calls.push_back(page);
    if (!list_supported) co_return ReadResult::unsupported_call();
    asio::steady_timer gate(co_await asio::this_coro::executor);
    while (page && held_pages.contains(*page)) {
      gate.expires_after(1ms);
      auto [ec] = co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return failed(0);
    }
    if (failures > 0) {
      --failures;
      co_return failed(503);
    }
    if (throttles > 0) {
      --throttles;
      ReadResult r = failed(429);
      r.failure.message = "Too many requests";
      r.failure.retry_after = 20ms;
      r.failure.throttle_connector = true;
      co_return r;
    }
    const std::size_t start = page ? std::stoul(page->substr(1)) : 0;
    ReadResult r;
    std::size_t i = 0;
    for (const auto& [id, fields] : records) {
      if (i >= start && i < start + page_size) r.records.push_back({id, fields});
      ++i;
    }
    if (start + page_size < records.size()) r.next_page = "p" + std::to_string(start + page_size);
    co_return r;
  }

  asio::awaitable<ReadResult> read_operator(std::string vendor_id) override {
    read_calls.push_back(vendor_id);
    if (!read_supported) co_return ReadResult::unsupported_call();
    auto it = records.find(vendor_id);
    ReadResult r;
    if (it == records.end()) {
      r.status = ReadResult::Status::not_found;
    } else {
      r.records.push_back({it->first, it->second});
    }
    co_return r;
  }

  static ReadResult failed(unsigned status) {
    ReadResult r;
    r.status = ReadResult::Status::failed;
    r.failure.outcome = PushOutcome::retry;
    r.failure.status = status;
    r.failure.message = "unavailable";
    r.failure.retry_after = 1ms;
    return r;
  }

  std::map<std::string, json::object> records;
  std::size_t page_size = 100;
  bool list_supported = true;
  bool read_supported = true;
  std::set<std::string> held_pages;
  int failures = 0;
  int throttles = 0;  ///< then this many 429s with a Retry-After
  /// The connector's budget (the real connectors' budget meters every request they send).
  RequestBudget budget{1000, 1000, 1};
  RequestBudget* request_budget() override { return &budget; }
  std::vector<std::optional<std::string>> list_calls;
  std::vector<std::string> read_calls;
};

class ReconcilePassTest : public ::testing::Test {
 protected:
  // Operator `id` with `attributes`, mapped to `vendor_id`, with the shadow of a vendor that
  // accepted exactly map(record).
  void mapped(const std::string& id, std::string_view attributes, const std::string& vendor_id) {
    test::put_operator(store, id, attributes, "");
    Transaction tx(store);
    auto op = store.operators().load(id);
    store.shadows().save(vendor.name(), id, vendor.map(*op).fields, test::now_ms());
    store.shadows().save_vendor_id(vendor.name(), id, vendor_id);
    tx.commit();
  }

  ReconcileOptions options() {
    ReconcileOptions o;
    o.now_ms = test::now_ms;
    o.notify = [this](const std::string& c, const std::string& op) {
      notified.push_back(c + "/" + op);
    };
    o.on_end = [this](const ReconcilePassRow& p) { ended.push_back(p); };
    o.max_read_attempts = 3;
    return o;
  }

  /// Runs one pass over `vendor` to its end and returns its row.
  ReconcilePassRow run_pass() {
    ReconcileScheduler scheduler(io, store, {&vendor}, options());
    scheduler.start();
    EXPECT_EQ(scheduler.start_now(vendor.name()), ReconcileStart::started);
    EXPECT_EQ(scheduler.start_now(vendor.name()), ReconcileStart::already_running);
    test::run_body(io, [&]() -> asio::awaitable<void> {
      co_await test::wait_until([&] { return !scheduler.running(vendor.name()); });
    }());
    return store.reconcile_passes().latest(vendor.name()).value();
  }

  asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
  ScriptedVendor vendor;
  std::vector<std::string> notified;
  std::vector<ReconcilePassRow> ended;
};

TEST_F(ReconcilePassTest, DriftCorrectsTheShadowAndQueuesARepairThroughTheOutbox) {
  mapped("emp-1", R"({"email":"a@x","display_name":"Ann"})", "v1");
  mapped("emp-2", R"({"email":"b@x","display_name":"Bob"})", "v2");
  // Edited at the vendor behind opsync's back: emp-1's name. emp-2 is in step.
  vendor.records["v1"] =
      json::parse(R"({"email":"a@x","display_name":"Annie","active":true})").as_object();
  vendor.records["v2"] =
      json::parse(R"({"email":"b@x","display_name":"Bob","active":true})").as_object();

  const ReconcilePassRow pass = run_pass();

  EXPECT_EQ(pass.state, PassState::finished);
  EXPECT_NE(pass.finished_ms, 0);
  EXPECT_EQ(pass.counts.read, 2);
  EXPECT_EQ(pass.counts.in_step, 1);
  EXPECT_EQ(pass.counts.drifted_operators, 1);
  EXPECT_EQ(pass.counts.drifted, (std::map<std::string, std::int64_t>{{"display_name", 1}}));
  EXPECT_EQ(pass.counts.repairs_queued, 1);
  // The shadow holds what the vendor holds, so the normal diff sends the canonical value back.
  EXPECT_EQ(store.shadows().load(vendor.name(), "emp-1")->at("display_name"), "Annie");
  auto row = store.outbox().load_entry(vendor.name(), "emp-1");
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(row->full_resync);
  EXPECT_FALSE(store.outbox().load_entry(vendor.name(), "emp-2").has_value());
  EXPECT_EQ(notified, std::vector<std::string>{"fake/emp-1"});
  EXPECT_TRUE(vendor.calls.empty()) << "a pass never writes to the vendor itself";
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(store.reconcile_passes().last_success_ms(vendor.name()), pass.finished_ms);
}

TEST_F(ReconcilePassTest, AnIdTheVendorNoLongerHasIsForgottenAndPushedInFull) {
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  mapped("emp-2", R"({"email":"b@x"})", "v2");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  // v2 was deleted at the vendor.

  const ReconcilePassRow pass = run_pass();

  EXPECT_EQ(pass.state, PassState::finished);
  EXPECT_EQ(pass.counts.missing_at_vendor, 1);
  EXPECT_EQ(pass.counts.in_step, 1);
  // Absent from the complete list, confirmed by one read before it is forgotten.
  EXPECT_EQ(vendor.read_calls, std::vector<std::string>{"v2"});
  EXPECT_FALSE(store.shadows().load_vendor_id(vendor.name(), "emp-2").has_value());
  EXPECT_FALSE(store.shadows().load(vendor.name(), "emp-2").has_value());
  auto row = store.outbox().load_entry(vendor.name(), "emp-2");
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(row->full_resync);
  EXPECT_EQ(store.shadows().load_vendor_id(vendor.name(), "emp-1"), "v1");
}

TEST_F(ReconcilePassTest, RecordsOpsyncDoesNotKnowAreReportedNeverChanged) {
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  vendor.records["v8"] = json::parse(R"({"email":"stranger@x"})").as_object();
  vendor.records["v9"] = json::parse(R"({"email":"other@x"})").as_object();

  const ReconcilePassRow pass = run_pass();

  EXPECT_EQ(pass.state, PassState::finished);
  EXPECT_EQ(pass.counts.unknown_at_vendor, 2);
  EXPECT_EQ(pass.counts.unknown_ids, (std::vector<std::string>{"v8", "v9"}));
  EXPECT_EQ(pass.counts.repairs_queued, 0);
  EXPECT_TRUE(store.outbox().load(vendor.name()).empty());
  EXPECT_TRUE(vendor.calls.empty());
}

TEST_F(ReconcilePassTest, WithoutAListCallEachMappedIdIsReadOnItsOwn) {
  vendor.list_supported = false;
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  mapped("emp-2", R"({"email":"b@x"})", "v2");
  mapped("emp-3", R"({"email":"c@x"})", "v3");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  vendor.records["v2"] = json::parse(R"({"email":"changed@x","active":true})").as_object();

  const ReconcilePassRow pass = run_pass();

  EXPECT_EQ(pass.state, PassState::finished);
  EXPECT_EQ(pass.mode, "read");
  EXPECT_EQ(vendor.read_calls, (std::vector<std::string>{"v1", "v2", "v3"}));
  EXPECT_EQ(pass.counts.read, 2);
  EXPECT_EQ(pass.counts.in_step, 1);
  EXPECT_EQ(pass.counts.drifted, (std::map<std::string, std::int64_t>{{"email", 1}}));
  EXPECT_EQ(pass.counts.missing_at_vendor, 1);
  EXPECT_TRUE(store.outbox().load_entry(vendor.name(), "emp-3")->full_resync);
}

TEST_F(ReconcilePassTest, NeitherListNorReadFailsThePass) {
  vendor.list_supported = false;
  vendor.read_supported = false;
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  const ReconcilePassRow pass = run_pass();
  EXPECT_EQ(pass.state, PassState::failed);
  EXPECT_FALSE(store.reconcile_passes().last_success_ms(vendor.name()).has_value());
  EXPECT_TRUE(store.shadows().load_vendor_id(vendor.name(), "emp-1").has_value());
}

TEST_F(ReconcilePassTest, AFailingReadIsRetriedThenThePassIsAbandonedAsFailed) {
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  vendor.failures = 100;

  const ReconcilePassRow pass = run_pass();

  EXPECT_EQ(pass.state, PassState::failed);
  EXPECT_EQ(vendor.list_calls.size(), 3u);  // max_read_attempts
  EXPECT_NE(pass.error.find("HTTP 503"), std::string::npos) << pass.error;
  EXPECT_FALSE(store.reconcile_passes().last_success_ms(vendor.name()).has_value());
  // Nothing is concluded from a list that was never read: the mapping stays.
  EXPECT_EQ(store.shadows().load_vendor_id(vendor.name(), "emp-1"), "v1");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].state, PassState::failed);
}

TEST_F(ReconcilePassTest, AFewFailedReadsAreRetriedAndThePassFinishes) {
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  vendor.failures = 2;
  const ReconcilePassRow pass = run_pass();
  EXPECT_EQ(pass.state, PassState::finished);
  EXPECT_EQ(vendor.list_calls.size(), 3u);
  EXPECT_EQ(pass.counts.in_step, 1);
}

// A 429 with a wait is the vendor's quota: the whole connector pauses (live pushes wait too), and
// however many there are, they are not failed attempts.
TEST_F(ReconcilePassTest, AThrottledReadPausesTheConnectorAndIsNotAFailedAttempt) {
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  vendor.throttles = 5;  // more than max_read_attempts (3)
  vendor.failures = 2;
  const auto before = std::chrono::steady_clock::now();
  const ReconcilePassRow pass = run_pass();
  EXPECT_EQ(pass.state, PassState::finished) << pass.error;
  EXPECT_EQ(vendor.list_calls.size(), 8u);
  EXPECT_GT(vendor.budget.paused_until(), before + 15ms);
  EXPECT_EQ(pass.counts.in_step, 1);
}

TEST_F(ReconcilePassTest, APassStoppedHalfWayIsResumedFromItsCursorAndOnlyThenFinished) {
  vendor.page_size = 1;
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  mapped("emp-2", R"({"email":"b@x"})", "v2");
  vendor.records["v1"] = json::parse(R"({"email":"drift@x","active":true})").as_object();
  vendor.records["v2"] = json::parse(R"({"email":"b@x","active":true})").as_object();
  vendor.held_pages = {"p1"};

  {
    // The first process reads page one, then stops (a restart) while page two is in flight.
    ReconcileScheduler scheduler(io, store, {&vendor}, options());
    scheduler.start();
    ASSERT_EQ(scheduler.start_now(vendor.name()), ReconcileStart::started);
    test::run_body(io, [&]() -> asio::awaitable<void> {
      co_await test::wait_until([&] { return vendor.list_calls.size() == 2; });
    }());
    scheduler.stop();
    test::run_body(io, test::pause(20ms));
  }
  auto stopped = store.reconcile_passes().latest(vendor.name()).value();
  EXPECT_EQ(stopped.state, PassState::running);
  EXPECT_EQ(stopped.finished_ms, 0);
  EXPECT_EQ(stopped.cursor, "p1");
  EXPECT_EQ(stopped.counts.read, 1);
  EXPECT_EQ(stopped.counts.drifted_operators, 1);  // page one's repair is committed
  EXPECT_TRUE(store.outbox().load_entry(vendor.name(), "emp-1").has_value());
  EXPECT_TRUE(ended.empty()) << "a pass that did not finish is never reported";
  EXPECT_FALSE(store.reconcile_passes().last_success_ms(vendor.name()).has_value());

  // The next process resumes it at page two: page one is not read again.
  vendor.held_pages.clear();
  vendor.list_calls.clear();
  ReconcileScheduler next(io, store, {&vendor}, options());
  next.start();
  EXPECT_TRUE(next.running(vendor.name()));
  test::run_body(io, [&]() -> asio::awaitable<void> {
    co_await test::wait_until([&] { return !next.running(vendor.name()); });
  }());
  EXPECT_EQ(vendor.list_calls, (std::vector<std::optional<std::string>>{"p1"}));
  const auto pass = store.reconcile_passes().latest(vendor.name()).value();
  EXPECT_EQ(pass.id, stopped.id);
  EXPECT_EQ(pass.state, PassState::finished);
  EXPECT_EQ(pass.counts.read, 2);
  EXPECT_EQ(pass.counts.in_step, 1);
  EXPECT_EQ(pass.counts.drifted_operators, 1);
  EXPECT_EQ(pass.counts.missing_at_vendor, 0);  // v1 was seen before the restart
  EXPECT_TRUE(vendor.read_calls.empty());
  ASSERT_EQ(ended.size(), 1u);
}

TEST_F(ReconcilePassTest, PeriodicPassesRunOnlyWithAnInterval) {
  mapped("emp-1", R"({"email":"a@x"})", "v1");
  vendor.records["v1"] = json::parse(R"({"email":"a@x","active":true})").as_object();
  vendor.delivery.reconcile_interval = 50ms;
  ReconcileOptions o = options();
  o.first_pass_delay = 0ms;
  ReconcileScheduler scheduler(io, store, {&vendor}, o);
  scheduler.start();
  test::run_body(io, [&]() -> asio::awaitable<void> {
    co_await test::wait_until([&] { return ended.size() >= 2; });
  }());
  scheduler.stop();
  EXPECT_EQ(ended[0].trigger, "periodic");
  EXPECT_EQ(ended[1].state, PassState::finished);
}

}  // namespace
}  // namespace opsync
