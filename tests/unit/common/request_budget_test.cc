// RequestBudget and MeteredTransport on a real event loop: who is admitted in which order, what
// a pause holds, the background share, and a waiting request ended by cancellation. Assertions are
// on admission order and counts; the only times measured are admission instants compared with
// the bucket's own bound.

#include "common/request_budget.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <string>
#include <vector>

#include "async_test.h"

namespace opsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = RequestBudget::Clock;
using enum RequestPriority;

struct Admission {
  std::string who;
  Clock::time_point at;
};

// (Coroutines are free functions taking their arguments by value or pointer: a coroutine
// lambda's captures die with the closure, before the coroutine runs.)
asio::awaitable<void> acquire_and_log(RequestBudget* budget, RequestPriority priority,
                                      std::string who, std::vector<Admission>* log,
                                      test::Countdown* done) {
  const bool admitted = co_await budget->acquire(priority);
  if (admitted) {
    Admission a;
    a.who = who;
    a.at = Clock::now();
    log->push_back(std::move(a));
  }
  done->done();
}

// Spawns an acquire that records `who` when admitted.
void spawn_acquire(asio::io_context& io, RequestBudget& budget, RequestPriority priority,
                   std::string who, std::vector<Admission>& log, test::Countdown& done) {
  asio::co_spawn(io, acquire_and_log(&budget, priority, std::move(who), &log, &done),
                 asio::detached);
}

asio::awaitable<void> acquire_into(RequestBudget* budget, std::optional<bool>* out) {
  *out = co_await budget->acquire(RequestPriority::live);
}

asio::awaitable<void> request_into(HttpTransport* transport, std::optional<HttpResult>* out) {
  HttpRequest request;
  HttpResult result = co_await transport->request(request);
  *out = std::move(result);
}

// At most `burst + W * rate` admissions over any window W (with `slack` for the loop's delay in
// resuming an admitted coroutine).
void expect_within(const std::vector<Admission>& log, double rate, double burst,
                   Clock::duration slack) {
  for (std::size_t i = 0; i < log.size(); ++i) {
    for (std::size_t j = i; j < log.size(); ++j) {
      const double window = std::chrono::duration<double>(log[j].at - log[i].at + slack).count();
      EXPECT_LE(static_cast<double>(j - i + 1), burst + window * rate + 1e-9)
          << "admissions " << i << " to " << j;
    }
  }
}

TEST(RequestBudget, LiveRequestsOvertakeWaitingBackgroundOnes) {
  asio::io_context io;
  RequestBudget budget(100, 1, 0.5);
  std::vector<Admission> log;
  test::run_until_done(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(budget.try_acquire(live, Clock::now()));  // the bucket is empty now
    test::Countdown done(co_await asio::this_coro::executor, 5);
    for (int i = 0; i < 3; ++i) spawn_acquire(io, budget, background, "bg", log, done);
    co_await test::until([&] { return budget.waiting(background) == 3; });
    spawn_acquire(io, budget, live, "live", log, done);
    spawn_acquire(io, budget, live, "live", log, done);
    co_await test::until([&] { return budget.waiting(live) + log.size() >= 2; });
    // While a live request waits, a background one is never admitted, even by try_acquire.
    if (budget.waiting(live) > 0) {
      EXPECT_FALSE(budget.try_acquire(background, Clock::now()));
    }
    co_await done.wait();
  }());
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0].who, "live");
  EXPECT_EQ(log[1].who, "live");
  EXPECT_EQ(log[2].who, "bg");
  EXPECT_EQ(budget.admitted(live), 3u);
  EXPECT_EQ(budget.admitted(background), 3u);
}

TEST(RequestBudget, BackgroundRequestsNeverExceedTheirShare) {
  asio::io_context io;
  // 50/s in all, a fifth for background: 10/s, a bucket of max(1, round(5 * 0.2)) = 1.
  RequestBudget budget(50, 5, 0.2);
  std::vector<Admission> log;
  constexpr int kRequests = 12;
  test::run_until_done(io, [&]() -> asio::awaitable<void> {
    test::Countdown done(co_await asio::this_coro::executor, kRequests);
    for (int i = 0; i < kRequests; ++i) spawn_acquire(io, budget, background, "bg", log, done);
    co_await done.wait();
  }());
  ASSERT_EQ(log.size(), static_cast<std::size_t>(kRequests));
  expect_within(log, 10, 1, 5ms);
  // Live requests still find the rest of the bucket.
  int live_now = 0;
  while (budget.try_acquire(live, Clock::now())) ++live_now;
  EXPECT_GE(live_now, 1);
}

TEST(RequestBudget, APauseHoldsEveryPriorityUntilResumed) {
  asio::io_context io;
  RequestBudget budget(1000, 10, 1.0);
  std::vector<Admission> log;
  test::run_until_done(io, [&]() -> asio::awaitable<void> {
    budget.pause_until(Clock::now() + 1h);
    EXPECT_FALSE(budget.try_acquire(live, Clock::now()));
    EXPECT_FALSE(budget.try_acquire(background, Clock::now()));
    test::Countdown done(co_await asio::this_coro::executor, 2);
    spawn_acquire(io, budget, live, "live", log, done);
    spawn_acquire(io, budget, background, "bg", log, done);
    co_await test::until([&] { return budget.waiting(live) + budget.waiting(background) == 2; });
    asio::steady_timer later(io, 20ms);  // give a wrongly admitted request the chance to run
    co_await later.async_wait(test::kNoThrow);
    EXPECT_TRUE(log.empty());
    budget.resume();
    co_await done.wait();
  }());
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].who, "live");
}

TEST(RequestBudget, AWaitingAcquireEndsOnTerminalCancellation) {
  asio::io_context io;
  RequestBudget budget(0.01, 1, 1.0);  // the next token is 100 s away
  std::optional<bool> admitted;
  asio::cancellation_signal signal;
  test::run_until_done(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(budget.try_acquire(live, Clock::now()));
    asio::co_spawn(io, acquire_into(&budget, &admitted),
                   asio::bind_cancellation_slot(signal.slot(), asio::detached));
    co_await test::until([&] { return budget.waiting(live) == 1; });
    signal.emit(asio::cancellation_type::terminal);
    co_await test::until([&] { return admitted.has_value(); });
  }());
  EXPECT_EQ(admitted, false);
  EXPECT_EQ(budget.waiting(live), 0u);
  EXPECT_EQ(budget.admitted(live), 1u);
}

class CountingTransport final : public HttpTransport {
 public:
  asio::awaitable<HttpResult> request(HttpRequest request) override {
    sent.push_back(std::move(request));
    HttpResult r;
    r.status = 200;
    co_return r;
  }
  std::vector<HttpRequest> sent;
};

TEST(MeteredTransport, EveryRequestTakesATokenAndACancelledOneIsNeverSent) {
  asio::io_context io;
  auto inner = std::make_shared<CountingTransport>();
  auto budget = std::make_shared<RequestBudget>(0.01, 2, 1.0);
  MeteredTransport transport(inner, budget);
  std::optional<HttpResult> third;
  asio::cancellation_signal signal;
  test::run_until_done(io, [&]() -> asio::awaitable<void> {
    HttpRequest read;
    read.priority = background;
    EXPECT_TRUE((co_await transport.request(read)).ok());
    HttpRequest push;
    EXPECT_TRUE((co_await transport.request(push)).ok());
    asio::co_spawn(io, request_into(&transport, &third),
                   asio::bind_cancellation_slot(signal.slot(), asio::detached));
    co_await test::until([&] { return budget->waiting(live) == 1; });
    signal.emit(asio::cancellation_type::terminal);
    co_await test::until([&] { return third.has_value(); });
  }());
  EXPECT_EQ(inner->sent.size(), 2u);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->error, asio::error::operation_aborted);
  EXPECT_EQ(budget->admitted(background), 1u);
  EXPECT_EQ(budget->admitted(live), 1u);
}

}  // namespace
}  // namespace opsync
