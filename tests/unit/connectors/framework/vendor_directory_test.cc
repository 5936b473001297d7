// VendorDirectory: one walk fills it, hits and misses cost no request until it is max_age old,
// creates and lookups keep it current, a 404 drops an entry, concurrent lookups share a walk, a
// failed walk is reported and retried, and a directory larger than its bound still finds
// everything.
#include "framework/vendor_directory.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace opsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A vendor's operator list behind a VendorDirectory, with a manual clock.
struct Vendor {
  explicit Vendor(VendorDirectory::Options options = {.vendor = "Vendor"})
      : directory(
            std::move(options),
            [this](VendorDirectory::Sink sink) { return walk(std::move(sink)); },
            [this] { return now; }) {}

  asio::awaitable<std::optional<PushResult>> walk(VendorDirectory::Sink sink) {
    ++list_calls;
    if (walk_delay > 0ms) {
      asio::steady_timer timer(co_await asio::this_coro::executor, walk_delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (fail_next) {
      fail_next = false;
      PushResult failure;
      failure.outcome = PushOutcome::retry;
      failure.status = 503;
      failure.message = "list unavailable";
      co_return failure;
    }
    for (const auto& [key, id] : operators) sink(key, id);
    co_return std::nullopt;
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    std::optional<T> out;
    io.restart();
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      out = std::move(value);
    });
    io.run_for(10s);
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : T{};
  }

  std::optional<std::string> find(const std::string& key) {
    VendorDirectory::Lookup l = run(directory.find(key));
    EXPECT_FALSE(l.failure) << l.failure->message;
    return l.id;
  }

  asio::io_context io;
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  std::vector<std::pair<std::string, std::string>> operators;
  int list_calls = 0;
  bool fail_next = false;
  std::chrono::milliseconds walk_delay{0};
  VendorDirectory directory;
};

TEST(VendorDirectory, OneWalkAnswersHitsAndMissesUntilItIsOld) {
  Vendor v;
  v.operators = {{"a@example.com", "1"}, {"B@Example.com", "2"}};
  EXPECT_EQ(v.find("a@example.com"), "1");
  EXPECT_EQ(v.find("b@example.COM"), "2");  // keys compare without ASCII case
  EXPECT_EQ(v.find("nobody@example.com"), std::nullopt);
  v.now += 59s;
  EXPECT_EQ(v.find("nobody@example.com"), std::nullopt);
  EXPECT_EQ(v.list_calls, 1);
  EXPECT_EQ(v.directory.walks(), 1U);
  EXPECT_EQ(v.directory.size(), 2U);
}

TEST(VendorDirectory, AMissOnAnOldDirectoryWalksAgainAndFindsOperatorsMadeElsewhere) {
  Vendor v;
  v.operators = {{"a@example.com", "1"}};
  EXPECT_EQ(v.find("human@example.com"), std::nullopt);
  v.operators.emplace_back("human@example.com", "7");  // created in the vendor's UI
  v.now += 60s;
  EXPECT_EQ(v.find("a@example.com"), "1");  // a hit never walks
  EXPECT_EQ(v.list_calls, 1);
  EXPECT_EQ(v.find("human@example.com"), "7");
  EXPECT_EQ(v.list_calls, 2);
  EXPECT_EQ(v.find("other@example.com"), std::nullopt);  // the walk is fresh again
  EXPECT_EQ(v.list_calls, 2);
}

TEST(VendorDirectory, RememberedOperatorsAreFoundWithoutAWalk) {
  Vendor v;
  EXPECT_EQ(v.find("new@example.com"), std::nullopt);
  v.directory.remember("New@example.com", "42");
  v.now += 1h;
  EXPECT_EQ(v.find("new@example.com"), "42");
  EXPECT_EQ(v.list_calls, 1);
}

TEST(VendorDirectory, ForgettingAnIdDropsItAndWalksOnTheNextLookup) {
  Vendor v;
  v.operators = {{"a@example.com", "1"}, {"b@example.com", "2"}};
  EXPECT_EQ(v.find("a@example.com"), "1");
  v.operators = {{"b@example.com", "2"}};  // 1 deleted at the vendor
  v.directory.forget_id("1");
  EXPECT_EQ(v.directory.size(), 1U);
  EXPECT_EQ(v.find("a@example.com"), std::nullopt);
  EXPECT_EQ(v.list_calls, 2);
  EXPECT_EQ(v.find("b@example.com"), "2");
  EXPECT_EQ(v.list_calls, 2);
}

TEST(VendorDirectory, ConcurrentLookupsShareOneWalk) {
  Vendor v;
  v.walk_delay = 20ms;
  for (int i = 0; i < 10; ++i) {
    v.operators.emplace_back("op" + std::to_string(i) + "@example.com", std::to_string(i));
  }
  std::vector<std::optional<std::string>> found(10);
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(
        v.io,
        [&v, &found, i]() -> asio::awaitable<void> {
          VendorDirectory::Lookup l =
              co_await v.directory.find("op" + std::to_string(i) + "@example.com");
          found[static_cast<std::size_t>(i)] = l.id;
        },
        asio::detached);
  }
  v.io.run_for(10s);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(found[static_cast<std::size_t>(i)], std::to_string(i));
  EXPECT_EQ(v.list_calls, 1);
}

TEST(VendorDirectory, ARememberDuringAWalkSurvivesIt) {
  Vendor v;
  v.walk_delay = 20ms;
  v.operators = {{"a@example.com", "1"}};
  bool done = false;
  asio::co_spawn(
      v.io,
      [&]() -> asio::awaitable<void> {
        co_await v.directory.find("a@example.com");
        done = true;
      },
      asio::detached);
  v.io.run_for(5ms);  // the walk is in flight
  ASSERT_FALSE(done);
  v.directory.remember("late@example.com", "9");
  v.io.run_for(10s);
  ASSERT_TRUE(done);
  EXPECT_EQ(v.find("late@example.com"), "9");
  EXPECT_EQ(v.list_calls, 1);
}

TEST(VendorDirectory, AFailedWalkIsReportedAndTheNextLookupWalksAgain) {
  Vendor v;
  v.operators = {{"a@example.com", "1"}};
  v.fail_next = true;
  VendorDirectory::Lookup l = v.run(v.directory.find("a@example.com"));
  ASSERT_TRUE(l.failure);
  EXPECT_EQ(l.failure->outcome, PushOutcome::retry);
  EXPECT_EQ(l.failure->message, "list unavailable");
  EXPECT_EQ(v.find("a@example.com"), "1");
  EXPECT_EQ(v.list_calls, 2);
}

TEST(VendorDirectory, BeyondItsBoundItStillFindsEveryOperator) {
  VendorDirectory::Options options{.vendor = "Vendor"};
  options.max_entries = 2;
  Vendor v(options);
  v.operators = {{"a@example.com", "1"}, {"b@example.com", "2"}, {"c@example.com", "3"}};
  EXPECT_EQ(v.find("a@example.com"), "1");
  EXPECT_EQ(v.directory.size(), 2U);
  EXPECT_EQ(v.list_calls, 1);
  EXPECT_EQ(v.find("c@example.com"), "3");  // not kept: searched with a walk of its own
  EXPECT_EQ(v.list_calls, 2);
  EXPECT_EQ(v.find("d@example.com"), std::nullopt);
  EXPECT_EQ(v.list_calls, 3);
  v.directory.remember("e@example.com", "5");  // full: not kept either, but no harm
  EXPECT_EQ(v.directory.size(), 2U);
}

TEST(VendorDirectory, ResolveCreatesOnlyWhatIsMissingAndRemembersIt) {
  Vendor v;
  v.operators = {{"a@example.com", "1"}};
  int creates = 0;
  auto create = [&creates]() -> asio::awaitable<PushResult> {
    ++creates;
    PushResult r;
    r.vendor_id = "new-" + std::to_string(creates);
    co_return r;
  };
  PushContext ctx;
  ctx.operator_id = "emp-1";
  VendorDirectory::Resolution r =
      v.run(v.directory.resolve(ctx, std::string("a@example.com"), true, create));
  EXPECT_EQ(r.id, "1");
  EXPECT_FALSE(r.done);

  r = v.run(v.directory.resolve(ctx, std::string("n@example.com"), true, create));
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.done->vendor_id, "new-1");
  r = v.run(v.directory.resolve(ctx, std::string("N@example.com"), true, create));
  EXPECT_EQ(r.id, "new-1");
  EXPECT_EQ(creates, 1);

  r = v.run(v.directory.resolve(ctx, std::string("x@example.com"), false, create));
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.done->outcome, PushOutcome::permanent);
  EXPECT_EQ(r.done->message,
            "operator emp-1 is unmapped: no Vendor id, no Vendor operator with its email, and "
            "create_missing is off");

  ctx.deleted = true;
  r = v.run(v.directory.resolve(ctx, std::string("x@example.com"), true, create));
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.done->outcome, PushOutcome::ok);
  EXPECT_EQ(r.done->message, "operator emp-1 is not in Vendor");
  EXPECT_EQ(creates, 1);
  EXPECT_EQ(v.list_calls, 1);
}

// A create that failed ambiguously (the vendor acted, then the connection reset) must not lead
// to a second operator: the retry walks the list again and finds the first one.
TEST(VendorDirectory, AfterACreateWithAnUnknownOutcomeTheRetryLooksBeforeCreating) {
  Vendor v;
  int creates = 0;
  auto create = [&]() -> asio::awaitable<PushResult> {
    ++creates;
    v.operators.emplace_back("n@example.com", "made-1");  // applied at the vendor...
    PushResult r;
    r.outcome = PushOutcome::retry;  // ...but the answer was lost
    r.message = "connection reset";
    co_return r;
  };
  PushContext ctx;
  ctx.operator_id = "emp-1";
  VendorDirectory::Resolution r =
      v.run(v.directory.resolve(ctx, std::string("n@example.com"), true, create));
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.done->outcome, PushOutcome::retry);
  r = v.run(v.directory.resolve(ctx, std::string("n@example.com"), true, create));
  EXPECT_EQ(r.id, "made-1");
  EXPECT_EQ(creates, 1);
  EXPECT_EQ(v.list_calls, 2);
}

}  // namespace
}  // namespace opsync
