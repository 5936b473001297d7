// Issue 12: a bulk resync pushes every operator to one connector, a batch at a time behind the
// connector's backlog (so live changes are not queued behind the whole roster), and carries on
// after a restart. Refused pairs are listed and can be queued again.

#include "dispatch/bulk_resync.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <set>

#include "dispatch/delivery.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "unit/dispatch/fake_connector.h"
#include "unit/dispatch/put_operator.h"
#include "unit/dispatch/run_loop.h"

namespace opsync {
namespace {

using namespace std::chrono_literals;

std::string id_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "op-%03d", i);
  return buf;
}

class BulkResyncTest : public ::testing::Test {
 protected:
  // `n` operators, all pushed once so that every shadow is in step.
  test::FakeConnector& start_in_step(int n, std::size_t concurrency = 4) {
    auto c = std::make_unique<test::FakeConnector>("glia");
    c->delivery.concurrency = concurrency;
    connector = c.get();
    for (int i = 0; i < n; ++i) {
      test::put_operator(store, id_of(i), R"({"email":"x@y","display_name":"X"})", "glia");
    }
    std::vector<std::unique_ptr<Connector>> set;
    set.push_back(std::move(c));
    delivery.start(std::move(set));
    run([&] { return store.outbox().size("glia") == 0; });
    connector->calls.clear();
    return *connector;
  }

  void run(std::function<bool()> until) {
    test::run_body(io,
                   [&]() -> boost::asio::awaitable<void> { co_await test::wait_until(until); }());
  }

  boost::asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
  Reconciler reconciler{store, {}};
  Delivery delivery{io, store, reconciler, {}};
  test::FakeConnector* connector = nullptr;
};

TEST_F(BulkResyncTest, PushesEveryOperatorInBatchesBehindTheBacklog) {
  test::FakeConnector& c = start_in_step(23, 1);
  BulkResync bulk(io, store, delivery, {.tick = 1ms, .batch = 5});
  bulk.start();
  ASSERT_EQ(bulk.request("glia"), BulkResync::Start::started);
  EXPECT_EQ(bulk.request("glia"), BulkResync::Start::already_running);
  EXPECT_EQ(bulk.request("nope"), BulkResync::Start::unknown_connector);
  std::int64_t most_pending = 0;
  run([&] {
    most_pending = std::max(most_pending, store.outbox().size("glia"));
    auto s = bulk.state("glia");
    return s && !s->running() && store.outbox().size("glia") == 0;
  });
  // Every operator once, each with its full record although the shadow was in step.
  std::set<std::string> pushed;
  for (const auto& call : c.calls) {
    pushed.insert(call.context.operator_id);
    EXPECT_EQ(call.context.changed, call.context.desired) << call.context.operator_id;
  }
  EXPECT_EQ(pushed.size(), 23u);
  EXPECT_EQ(c.calls.size(), 23u);
  EXPECT_LE(most_pending, 5 + 5);  // never more than two batches' worth waiting
  const auto s = bulk.state("glia");
  EXPECT_EQ(s->total, 23);
  EXPECT_EQ(s->queued, 23);
  // A finished one can be asked for again.
  EXPECT_EQ(bulk.request("glia"), BulkResync::Start::started);
}

TEST_F(BulkResyncTest, ALiveChangeIsNotQueuedBehindTheWholeRoster) {
  test::FakeConnector& c = start_in_step(60, 1);
  BulkResync bulk(io, store, delivery, {.tick = 1ms, .batch = 4});
  bulk.start();
  ASSERT_EQ(bulk.request("glia"), BulkResync::Start::started);
  run([&] { return c.calls.size() >= 4; });
  // A live change to the operator the bulk resync reaches last.
  test::put_operator(store, id_of(59), R"({"email":"x@y","display_name":"Changed"})", "glia");
  delivery.notify("glia", id_of(59));
  run([&] {
    return std::any_of(c.calls.begin(), c.calls.end(),
                       [](const auto& k) { return k.context.operator_id == id_of(59); });
  });
  // It went out within about one batch, long before the bulk resync got there.
  EXPECT_LT(c.calls.size(), 4u + 4u + 4u);
  bulk.stop();
}

TEST_F(BulkResyncTest, ARestartCarriesOnAfterTheLastBatch) {
  start_in_step(12);
  {
    BulkResync bulk(io, store, delivery, {.tick = 1ms, .batch = 5});
    bulk.start();
    ASSERT_EQ(bulk.request("glia"), BulkResync::Start::started);
    run([&] { return bulk.state("glia")->queued >= 5; });
    bulk.stop();
  }
  const std::int64_t before = store.bulk_resyncs().load("glia")->queued;
  EXPECT_TRUE(store.bulk_resyncs().load("glia")->running());
  BulkResync again(io, store, delivery, {.tick = 1ms, .batch = 5});
  again.start();
  run([&] { return !again.state("glia")->running(); });
  EXPECT_EQ(again.state("glia")->queued, 12);
  EXPECT_LT(before, 12);
}

TEST_F(BulkResyncTest, RefusedPairsAreRecordedClearedBySuccessAndRetried) {
  auto c = std::make_unique<test::FakeConnector>("glia");
  test::FakeConnector& fake = *c;
  bool refuse = true;
  fake.script = [&](const PushContext& ctx) {
    PushResult r;
    if (refuse && ctx.operator_id != "op-ok") {
      r.outcome = PushOutcome::permanent;
      r.status = 422;
      r.message = "email is not valid";
    }
    return r;
  };
  test::put_operator(store, "op-a", R"({"email":"bad"})", "glia");
  test::put_operator(store, "op-b", R"({"email":"bad too"})", "glia");
  test::put_operator(store, "op-ok", R"({"email":"a@b"})", "glia");
  test::put_operator(store, "op-map", R"({"email":"a@b","teams":["no-such"]})", "glia");
  std::vector<std::unique_ptr<Connector>> set;
  set.push_back(std::move(c));
  delivery.start(std::move(set));
  run([&] { return store.outbox().size("glia") == 0; });

  ASSERT_EQ(store.refusals().count("glia"), 3);
  const auto refused = store.refusals().list("glia", "", 10);
  ASSERT_EQ(refused.size(), 3u);
  EXPECT_EQ(refused[0].operator_id, "op-a");
  EXPECT_EQ(refused[0].reason, "vendor_rejected");
  EXPECT_EQ(refused[0].status, 422u);
  EXPECT_EQ(refused[0].message, "email is not valid");
  EXPECT_EQ(refused[2].operator_id, "op-map");
  EXPECT_EQ(refused[2].reason, "mapping_failed");
  EXPECT_EQ(refused[2].status, 0u);
  EXPECT_EQ(store.refusals().list("glia", "op-a", 1).at(0).operator_id, "op-b");

  // The vendor's rule is fixed: a retry sends them again, and an accepted push clears a refusal.
  refuse = false;
  fake.calls.clear();
  EXPECT_EQ(delivery.retry_refused("glia"), 3u);
  EXPECT_EQ(delivery.retry_refused("nope"), std::nullopt);
  run([&] { return store.outbox().size("glia") == 0; });
  EXPECT_EQ(fake.calls.size(), 2u);  // op-map cannot be mapped: no call, refused again
  ASSERT_EQ(store.refusals().count("glia"), 1);
  EXPECT_EQ(store.refusals().list("glia", "", 10).at(0).operator_id, "op-map");
}

}  // namespace
}  // namespace opsync
