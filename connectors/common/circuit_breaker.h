#pragma once
// A circuit breaker for one vendor, on an injected steady clock.

#include <chrono>
#include <cstdint>

namespace opsync {

struct CircuitBreakerConfig {
  /// Consecutive failures that open a closed breaker. A failure is a push whose deciding call
  /// failed; a push may make several calls (Glia: token, lookup, create), so a vendor failing
  /// 10% of its calls fails far more than 10% of such pushes. Ten in a row is well out of reach
  /// of that noise (0.2^10 ~ 1e-7) and reached within a second by a vendor that is really down.
  std::uint32_t failure_threshold = 10;
  /// First cool-down; each re-open from half-open multiplies it by `cool_down_multiplier`, up to
  /// `max_cool_down`. A close resets it. The cap bounds how long a recovered vendor waits for
  /// the next probe: a probe costs one request, a long cap costs minutes of staleness.
  std::chrono::milliseconds cool_down{5'000};
  std::chrono::milliseconds max_cool_down{30'000};
  double cool_down_multiplier = 2.0;
  /// Calls let through at once while half-open.
  std::uint32_t half_open_probes = 1;
};

/// The numeric values are the metric's (opsync_..._breaker_state gauge).
enum class BreakerState : int { closed = 0, half_open = 1, open = 2 };

/// closed --(failure_threshold consecutive failures)--> open --(cool-down passed)--> half-open
/// half-open --(a probe succeeds)--> closed;  half-open --(a probe fails)--> open (longer).
/// Callers ask allow() before a call and report exactly one of on_success / on_failure /
/// on_abandoned for each allowed call. What counts as a failure is the caller's choice
/// (typically: transport errors, timeouts, 5xx; not 4xx, which prove the vendor is up).
/// Not thread-safe (one event loop owns it).
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  /// Throws std::invalid_argument on a zero threshold, zero probes, a multiplier below 1 or a
  /// cool-down that is not positive.
  explicit CircuitBreaker(CircuitBreakerConfig config);

  /// Whether a call may start now. An open breaker whose cool-down has passed turns half-open
  /// here; half-open lets through at most half_open_probes calls in flight.
  bool allow(Clock::time_point now);

  void on_success(Clock::time_point now);
  void on_failure(Clock::time_point now);
  /// An allowed call ended without a verdict (cancelled, shut down): frees its probe slot.
  void on_abandoned();

  /// The state as a caller would see it at `now`: open with its cool-down passed reads as
  /// half-open (the next allow() makes it so).
  BreakerState state(Clock::time_point now) const;

  /// When an open breaker will let a probe through (meaningful while open).
  Clock::time_point open_until() const { return open_until_; }

  std::chrono::milliseconds current_cool_down() const { return cool_down_; }

 private:
  void open(Clock::time_point now, bool grow);

  CircuitBreakerConfig config_;
  BreakerState state_ = BreakerState::closed;
  std::uint32_t consecutive_failures_ = 0;
  std::uint32_t probes_in_flight_ = 0;
  std::chrono::milliseconds cool_down_;
  Clock::time_point open_until_{};
};

}  // namespace opsync
