#pragma once
// A token bucket for one vendor's request rate, on an injected steady clock.

#include <chrono>
#include <cstdint>

namespace opsync {

/// Token bucket of `burst` tokens refilled at `rate_per_second`, in exact integer time (GCRA):
/// over any window of length W, at most `burst + W * rate_per_second` acquisitions succeed.
/// Starts full. Not thread-safe (one event loop owns it).
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// Throws std::invalid_argument unless rate_per_second > 0 (and finite) and burst >= 1.
  RateLimiter(double rate_per_second, std::uint32_t burst);

  /// Takes one token if one is available at `now`.
  bool try_acquire(Clock::time_point now);

  /// Earliest time at or after `now` when try_acquire would succeed (`now` if it would now).
  Clock::time_point next_available(Clock::time_point now) const;

  /// Refuses every acquisition before `until` (the vendor said its quota is spent, e.g.
  /// `X-RateLimit-Remaining: 0`). Never shortens an earlier block.
  void block_until(Clock::time_point until);
  /// Ends any block (an operator's override). The tokens already spent stay spent.
  void unblock() { blocked_until_ = Clock::time_point::min(); }
  /// The end of the current block (Clock::time_point::min() if none was ever set).
  Clock::time_point blocked_until() const { return blocked_until_; }

  /// Changes rate and burst (configuration reload), keeping the tokens already spent.
  /// Same preconditions as the constructor.
  void reconfigure(double rate_per_second, std::uint32_t burst);

  double rate_per_second() const { return rate_; }
  std::uint32_t burst() const { return burst_; }

 private:
  double rate_ = 0;
  std::uint32_t burst_ = 1;
  Clock::duration interval_{};   // time to earn one token, rounded up so the rate never exceeds
  Clock::duration tolerance_{};  // (burst - 1) * interval_
  Clock::time_point tat_ = Clock::time_point::min();  // theoretical arrival time
  Clock::time_point blocked_until_ = Clock::time_point::min();
};

}  // namespace opsync
