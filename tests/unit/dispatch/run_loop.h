#pragma once
// Runs a coroutine test body on an io_context with a safety limit, and waits by polling a
// condition (counting, never asserting on elapsed time).

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>

namespace opsync::test {

inline void run_body(boost::asio::io_context& io, boost::asio::awaitable<void> body,
                     std::chrono::seconds limit = std::chrono::seconds(30)) {
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

inline boost::asio::awaitable<void> wait_until(std::function<bool()> condition) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (!condition()) {
    timer.expires_after(std::chrono::milliseconds(2));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

inline boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

}  // namespace opsync::test
