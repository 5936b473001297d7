#pragma once
// The clocks a connector reads, injected the same way into every connector (the last argument of
// its constructor): `steady` for token expiry and the age of an operator directory, `wall` for
// the dates of Retry-After answers. Tests pass one lambda (either kind); the other stays the
// real clock.

#include <chrono>
#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

namespace opsync {

class ConnectorClock {
 public:
  using Steady = std::function<std::chrono::steady_clock::time_point()>;
  using Wall = std::function<std::chrono::system_clock::time_point()>;

  ConnectorClock() = default;
  /// A steady clock (an empty function: the real one).
  template <class F>
  requires std::is_invocable_r_v<std::chrono::steady_clock::time_point, F&> ConnectorClock(
      F steady)  // NOLINT(google-explicit-constructor): tests pass a lambda
  {
    if (Steady s(std::move(steady)); s) steady_ = std::move(s);
  }
  /// A wall clock (an empty function: the real one).
  template <class F>
  requires std::is_invocable_r_v<std::chrono::system_clock::time_point, F&> ConnectorClock(
      F wall)  // NOLINT(google-explicit-constructor): tests pass a lambda
  {
    if (Wall w(std::move(wall)); w) wall_ = std::move(w);
  }

  const Steady& steady() const { return steady_; }
  std::chrono::system_clock::time_point wall_now() const { return wall_(); }

 private:
  Steady steady_ = [] { return std::chrono::steady_clock::now(); };
  Wall wall_ = [] { return std::chrono::system_clock::now(); };
};

}  // namespace opsync
