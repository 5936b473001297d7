#pragma once
// Helpers for coroutine tests: run a test body on an io_context with a safety limit, and wait
// for conditions by counting, never by asserting on elapsed time.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>

namespace opsync::test {

inline constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

/// Runs `body` to completion (or fails the test after `limit`), rethrowing its exception.
inline void run_until_done(boost::asio::io_context& io, boost::asio::awaitable<void> body,
                           std::chrono::seconds limit = std::chrono::seconds(20)) {
  bool done = false;
  std::exception_ptr error;
  io.restart();
  boost::asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
    error = e;
    done = true;
    io.stop();
  });
  io.run_for(limit);
  ASSERT_TRUE(done) << "the test coroutine did not finish";
  if (error) std::rethrow_exception(error);
}

/// Yields to the event loop until `condition` holds (polling in small steps; the safety limit
/// of run_until_done bounds it).
inline boost::asio::awaitable<void> until(std::function<bool()> condition) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!condition()) {
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(kNoThrow);
  }
}

/// Counts down spawned tasks; wait() resumes when all have called done().
class Countdown {
 public:
  Countdown(const boost::asio::any_io_executor& executor, std::size_t n)
      : remaining_(n), timer_(executor, boost::asio::steady_timer::time_point::max()) {}
  void done() {
    if (--remaining_ == 0) timer_.cancel();
  }
  boost::asio::awaitable<void> wait() {
    while (remaining_ > 0) co_await timer_.async_wait(kNoThrow);
  }

 private:
  std::size_t remaining_;
  boost::asio::steady_timer timer_;
};

}  // namespace opsync::test
