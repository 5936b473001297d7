// The delivery unit against FakeConnectors: replace() is all or nothing, counters survive it, new
// connectors are bootstrapped with the roster, retired ones stay alive.

#include "dispatch/delivery.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <map>
#include <stdexcept>

#include "reconcile/reconciler.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "unit/dispatch/fake_connector.h"
#include "unit/dispatch/put_operator.h"
#include "unit/dispatch/run_loop.h"

namespace opsync {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using test::now_ms;

/// A connector whose mapping fails hard (a bug, or a store error surfacing through it): the
/// bootstrap of a set holding it throws half way.
class ThrowingConnector final : public test::FakeConnector {
 public:
  using FakeConnector::FakeConnector;
  MapResult map(const CanonicalOperator&) const override {
    throw std::runtime_error("mapping blew up");
  }
};

class DeliveryTest : public ::testing::Test {
 protected:
  void put(const std::string& id, std::string_view attributes, const std::string& c = "fake") {
    test::put_operator(store, id, attributes, c);
  }

  // Takes ownership of the connectors and returns them as a set for Delivery.
  template <class... C>
  static std::vector<std::unique_ptr<Connector>> set_of(std::unique_ptr<C>... c) {
    std::vector<std::unique_ptr<Connector>> out;
    (out.push_back(std::move(c)), ...);
    return out;
  }

  std::string replace(Delivery& d, std::vector<std::unique_ptr<Connector>> next) {
    std::optional<std::string> error;
    d.replace(std::move(next), std::chrono::steady_clock::now() + 2s,
              [&](const std::string& e) { error = e; });
    test::run_body(io, [&]() -> boost::asio::awaitable<void> {
      co_await test::wait_until([&] { return error.has_value(); });
    }());
    return error.value_or("no answer");
  }

  boost::asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
  Reconciler reconciler{store, {}};
};

TEST_F(DeliveryTest, CountersAreTotalsAcrossReplacedSets) {
  auto first = std::make_unique<test::FakeConnector>();
  first->script = [](const PushContext& c) {
    PushResult r;
    if (c.operator_id == "emp-2" && c.attempt == 0) r.outcome = PushOutcome::retry;
    return r;
  };
  put("emp-1", R"({"email":"a@x","teams":["no-such-team"]})");  // unmappable: dead-lettered
  put("emp-2", R"({"email":"b@x"})");                           // retried once, then ok
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(first)));
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return store.outbox().size("fake") == 0; });
  }());
  const DispatchCounters before = d.counters("fake");
  EXPECT_EQ(before.mapping_errors, 1u);
  EXPECT_EQ(before.pushes_retry, 1u);
  EXPECT_EQ(before.pushes_ok, 1u);

  ASSERT_EQ(replace(d, set_of(std::make_unique<test::FakeConnector>())), "");
  DispatchCounters after = d.counters("fake");
  EXPECT_EQ(after.mapping_errors, 1u);
  EXPECT_EQ(after.pushes_retry, 1u);
  EXPECT_EQ(after.pushes_ok, 1u);

  // A connector removed by a replace keeps its totals for the names that ever ran.
  ASSERT_EQ(replace(d, set_of(std::make_unique<test::FakeConnector>("other"))), "");
  EXPECT_EQ(d.counters("fake").mapping_errors, 1u);
  EXPECT_EQ(d.all_connector_names(), (std::vector<std::string>{"fake", "other"}));
}

TEST_F(DeliveryTest, AReplaceThatFailsHalfWayLeavesTheRunningSetAsItWas) {
  put("emp-1", R"({"email":"a@x"})", "");
  auto owned = std::make_unique<test::FakeConnector>();
  test::FakeConnector& running = *owned;
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(owned)));  // bootstraps emp-1 to "fake"
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return store.outbox().size("fake") == 0; });
  }());
  ASSERT_EQ(running.calls.size(), 1u);
  const auto counters_before = store.progress().load_counters();

  // A new set: a fresh "fake" plus a new connector whose bootstrap throws half way.
  const std::string error = replace(
      d, set_of(std::make_unique<test::FakeConnector>(), std::make_unique<ThrowingConnector>("b")));
  EXPECT_EQ(error, "mapping blew up");

  // The same connector object runs on, under the same dispatcher, and nothing of the new set
  // reached the store (no bootstrap marker, no pushes queued for "b").
  ASSERT_EQ(d.connectors().size(), 1u);
  EXPECT_EQ(d.connectors()[0], &running);
  EXPECT_EQ(store.progress().load_counters(), counters_before);
  EXPECT_EQ(store.outbox().size("b"), 0);
  EXPECT_FALSE(d.replacing());

  // And it still delivers: a change reaches the old connector.
  put("emp-1", R"({"email":"changed@x"})");
  d.notify("fake", "emp-1");
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return running.calls.size() == 2; });
  }());
  EXPECT_EQ(running.calls[1].context.changed.at("email"), "changed@x");
  EXPECT_EQ(d.counters("fake").pushes_ok, 2u);
}

TEST_F(DeliveryTest, DuplicateNamesAreRefusedBeforeAnythingStops) {
  auto owned = std::make_unique<test::FakeConnector>();
  const Connector* running = owned.get();
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(owned)));
  const std::string error = replace(
      d, set_of(std::make_unique<test::FakeConnector>(), std::make_unique<test::FakeConnector>()));
  EXPECT_NE(error.find("duplicate connector name 'fake'"), std::string::npos) << error;
  ASSERT_EQ(d.connectors().size(), 1u);
  EXPECT_EQ(d.connectors()[0], running);
}

TEST_F(DeliveryTest, ANewConnectorGetsTheRosterOnceAndTheOldOneStops) {
  put("emp-1", R"({"email":"a@x"})", "");
  put("emp-2", R"({"email":"b@x"})", "");
  auto old_owned = std::make_unique<test::FakeConnector>();
  test::FakeConnector& old_connector = *old_owned;
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(old_owned)));
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return old_connector.calls.size() == 2; });
  }());

  auto fresh_owned = std::make_unique<test::FakeConnector>("fresh");
  test::FakeConnector& fresh = *fresh_owned;
  ASSERT_EQ(replace(d, set_of(std::move(fresh_owned))), "");
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return fresh.calls.size() == 2; });
  }());
  // The retired connector is still alive (its object is read here) but gets nothing more.
  put("emp-1", R"({"email":"again@x"})", "fresh");
  d.notify("fresh", "emp-1");
  d.notify("fake", "emp-1");
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return fresh.calls.size() == 3; });
  }());
  EXPECT_EQ(old_connector.calls.size(), 2u);

  // A second replace with the same name does not bootstrap it again.
  ASSERT_EQ(replace(d, set_of(std::make_unique<test::FakeConnector>("fresh"))), "");
  EXPECT_EQ(store.outbox().size("fresh"), 0);
}

// Issue 12 defect 3: a connector disabled in the configuration and enabled again catches up with
// the changes made while it was off: every operator whose record differs from its shadow gets a
// push (a deleted one its deactivation), the others none. Its bootstrap marker used to be kept by
// name, so nothing was pushed.
TEST_F(DeliveryTest, AConnectorDisabledAndEnabledAgainCatchesUp) {
  put("emp-1", R"({"email":"a@x"})", "");
  put("emp-2", R"({"email":"b@x"})", "");
  put("emp-3", R"({"email":"c@x"})", "");
  auto owned = std::make_unique<test::FakeConnector>();
  test::FakeConnector& first = *owned;
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(owned)));
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return first.calls.size() == 3; });
    co_await test::wait_until([&] { return store.outbox().size("fake") == 0; });
  }());

  // Disabled: the changes meanwhile queue nothing for it (its planner is not running).
  ASSERT_EQ(replace(d, set_of(std::make_unique<test::FakeConnector>("other"))), "");
  put("emp-1", R"({"email":"changed@x"})", "");
  {
    CanonicalOperator gone = *store.operators().load("emp-2");
    gone.deleted = true;
    store.operators().save(gone, now_ms());
  }

  auto again_owned = std::make_unique<test::FakeConnector>();
  test::FakeConnector& again = *again_owned;
  ASSERT_EQ(replace(d, set_of(std::move(again_owned))), "");
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return again.calls.size() == 2; });
    co_await test::wait_until([&] { return store.outbox().size("fake") == 0; });
    co_await d.drain(std::chrono::steady_clock::now() + 1s);
  }());
  ASSERT_EQ(again.calls.size(), 2u);
  std::map<std::string, json::object> sent;
  for (const auto& call : again.calls) sent[call.context.operator_id] = call.context.changed;
  EXPECT_EQ(sent["emp-1"].at("email"), "changed@x");
  EXPECT_EQ(sent["emp-2"].at("active"), false);
  EXPECT_FALSE(sent.contains("emp-3"));
}

// The same when the connector was left out of the configuration across a restart of the daemon.
TEST_F(DeliveryTest, AConnectorLeftOutAcrossARestartCatchesUpWhenItIsBack) {
  put("emp-1", R"({"email":"a@x"})", "");
  {
    Delivery d(io, store, reconciler, {});
    d.start(set_of(std::make_unique<test::FakeConnector>()));
    test::run_body(io, [&]() -> boost::asio::awaitable<void> {
      co_await test::wait_until([&] { return store.shadows().load("fake", "emp-1").has_value(); });
      co_await d.drain(std::chrono::steady_clock::now() + 1s);
    }());
  }
  {
    Delivery d(io, store, reconciler, {});
    d.start(set_of(std::make_unique<test::FakeConnector>("other")));
    put("emp-1", R"({"email":"changed@x"})", "");
  }
  auto owned = std::make_unique<test::FakeConnector>();
  test::FakeConnector& back = *owned;
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(owned)));
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return back.calls.size() == 1; });
    co_await test::wait_until([&] { return store.outbox().size("fake") == 0; });
    co_await d.drain(std::chrono::steady_clock::now() + 1s);
  }());
  ASSERT_EQ(back.calls.size(), 1u);
  EXPECT_EQ(back.calls[0].context.changed.at("email"), "changed@x");
}

// Issue 12 defect 8: the pending pushes of a connector a reload removes are purged (they used to
// stay in the outbox for good); its shadows and vendor ids are kept, so that enabling it again
// diffs against what the vendor last acknowledged.
TEST_F(DeliveryTest, ARemovedConnectorsPendingPushesArePurgedAndItsShadowsKept) {
  put("emp-1", R"({"email":"a@x"})", "");
  put("emp-2", R"({"email":"b@x"})", "");
  auto owned = std::make_unique<test::FakeConnector>("gone");
  test::FakeConnector& gone = *owned;
  gone.delivery.backoff = {.base = 1h, .cap = 1h};
  gone.script = [](const PushContext& c) {
    PushResult r;
    if (c.operator_id == "emp-2") {
      r.outcome = PushOutcome::retry;  // waits an hour for its next attempt
      r.status = 503;
    }
    return r;
  };
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(owned), std::make_unique<test::FakeConnector>("stays")));
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] {
      return gone.calls.size() == 2 && store.outbox().size("stays") == 0 &&
             d.counters("gone").pushes_retry == 1;
    });
  }());
  ASSERT_EQ(store.outbox().size("gone"), 1);
  ASSERT_TRUE(store.shadows().load("gone", "emp-1"));

  ASSERT_EQ(replace(d, set_of(std::make_unique<test::FakeConnector>("stays"))), "");
  EXPECT_EQ(store.outbox().size("gone"), 0);
  EXPECT_EQ(d.counters("gone").backlog, 0u);
  EXPECT_TRUE(store.shadows().load("gone", "emp-1"));
  EXPECT_EQ(store.shadows().load_vendor_id("gone", "emp-1"), "v-emp-1");
}

// The same at start: a connector that is no longer configured when the daemon starts again.
TEST_F(DeliveryTest, PendingPushesOfAConnectorNoLongerConfiguredArePurgedAtStart) {
  put("emp-1", R"({"email":"a@x"})", "gone");
  {
    auto owned = std::make_unique<test::FakeConnector>("gone");
    owned->delivery.backoff = {.base = 1h, .cap = 1h};
    owned->script = [](const PushContext&) {
      PushResult r;
      r.outcome = PushOutcome::retry;
      r.status = 503;
      return r;
    };
    Delivery d(io, store, reconciler, {});
    d.start(set_of(std::move(owned)));
    test::run_body(io, [&]() -> boost::asio::awaitable<void> {
      co_await test::wait_until([&] { return d.counters("gone").pushes_retry == 1; });
      co_await d.drain(std::chrono::steady_clock::now() + 1s);
    }());
  }
  ASSERT_EQ(store.outbox().size("gone"), 1);
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::make_unique<test::FakeConnector>("stays")));
  EXPECT_EQ(store.outbox().size("gone"), 0);
}

// SIGTERM during a reload: the stop's drain waits for the replace (one drain at a time per
// dispatcher), then drains the set the replace left running.
TEST_F(DeliveryTest, ADrainDuringAReplaceWaitsForIt) {
  put("emp-1", R"({"email":"a@x"})", "");
  auto owned = std::make_unique<test::FakeConnector>();
  test::FakeConnector& first = *owned;
  first.held.insert("emp-1");
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::move(owned)));
  std::optional<std::string> replaced;
  bool drained = false;
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until([&] { return first.calls.size() == 1; });  // a push in flight
    d.replace(set_of(std::make_unique<test::FakeConnector>()),
              std::chrono::steady_clock::now() + 5s, [&](const std::string& e) { replaced = e; });
    EXPECT_TRUE(d.replacing());
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          co_await d.drain(std::chrono::steady_clock::now() + 5s);
          drained = true;
        },
        boost::asio::detached);
    co_await test::pause(50ms);
    EXPECT_FALSE(drained) << "the drain did not wait for the replace";
    first.held.clear();  // the in-flight push finishes; the replace completes, then the drain
    co_await test::wait_until([&] { return drained; });
  }());
  EXPECT_EQ(replaced, "");
  EXPECT_EQ(d.counters("fake").pushes_ok, 1u);
  EXPECT_EQ(store.outbox().size("fake"), 0);
}

TEST_F(DeliveryTest, ResyncQueuesAFullPushForTheNamedConnectorOnly) {
  put("emp-1", R"({"email":"a@x"})", "");
  Delivery d(io, store, reconciler, {});
  d.start(set_of(std::make_unique<test::FakeConnector>("a"),
                 std::make_unique<test::FakeConnector>("b")));
  test::run_body(io, [&]() -> boost::asio::awaitable<void> {
    co_await test::wait_until(
        [&] { return store.outbox().size("a") == 0 && store.outbox().size("b") == 0; });
    co_await d.drain(std::chrono::steady_clock::now() + 1s);
  }());
  EXPECT_TRUE(d.resync("emp-1", std::string("nope")).unknown_connector);
  auto q = d.resync("emp-1", std::string("b"));
  EXPECT_EQ(q.connectors, std::vector<std::string>{"b"});
  ASSERT_TRUE(store.outbox().load_entry("b", "emp-1"));
  EXPECT_TRUE(store.outbox().load_entry("b", "emp-1")->full_resync);
  EXPECT_FALSE(store.outbox().load_entry("a", "emp-1"));
}

}  // namespace
}  // namespace opsync
