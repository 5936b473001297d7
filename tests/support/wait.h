#pragma once
// Runs an io_context until a condition holds or a deadline passes. Tests assert on conditions and
// counts; the deadline only bounds a failing test.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace opsync::testing {

inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace opsync::testing
