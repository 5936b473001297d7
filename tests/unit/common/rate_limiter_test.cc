#include "common/rate_limiter.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace opsync {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

const Clock::time_point kStart = Clock::time_point(1'000s);

/// Drives the limiter through simulated time with eager callers at random instants and returns
/// the instants of every successful acquisition.
std::vector<Clock::time_point> simulate(RateLimiter& limiter, Clock::duration span,
                                        std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> step_us(0, 40'000);
  std::uniform_int_distribution<int> callers(1, 6);
  std::vector<Clock::time_point> granted;
  for (auto now = kStart; now < kStart + span; now += std::chrono::microseconds(step_us(rng))) {
    for (int c = callers(rng); c > 0; --c) {
      if (limiter.try_acquire(now)) granted.push_back(now);
    }
    // Sometimes jump exactly to the announced instant, the way a scheduler's timer would.
    if (rng() % 4 == 0) {
      const auto at = limiter.next_available(now);
      EXPECT_GE(at, now);
      EXPECT_TRUE(limiter.try_acquire(at));
      granted.push_back(at);
      now = at;
    }
  }
  return granted;
}

/// Over every window [t_i, t_j] the count of acquisitions is at most burst + rate * length.
void expect_never_exceeds(const std::vector<Clock::time_point>& granted, double rate,
                          std::uint32_t burst) {
  for (std::size_t i = 0; i < granted.size(); ++i) {
    for (std::size_t j = i; j < granted.size(); ++j) {
      const double window = std::chrono::duration<double>(granted[j] - granted[i]).count();
      const double count = static_cast<double>(j - i + 1);
      ASSERT_LE(count, burst + window * rate + 1e-9)
          << "window of " << window << " s from acquisition " << i << " to " << j;
    }
  }
}

TEST(RateLimiter, StartsFullThenRefusesBeyondBurst) {
  RateLimiter limiter(10, 3);
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_FALSE(limiter.try_acquire(kStart));
  EXPECT_EQ(limiter.next_available(kStart), kStart + 100ms);
  EXPECT_FALSE(limiter.try_acquire(kStart + 99ms));
  EXPECT_TRUE(limiter.try_acquire(kStart + 100ms));
  EXPECT_FALSE(limiter.try_acquire(kStart + 100ms));
  // After a long idle period the bucket is full again, not fuller.
  const auto later = kStart + 1h;
  EXPECT_EQ(limiter.next_available(later), later);
  int n = 0;
  while (limiter.try_acquire(later)) ++n;
  EXPECT_EQ(n, 3);
}

TEST(RateLimiter, NeverExceedsTheRateOverAnyWindow) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    RateLimiter limiter(10, 5);
    const auto granted = simulate(limiter, 60s, seed);
    expect_never_exceeds(granted, 10, 5);
    // And it is not needlessly stingy: eager callers get close to the full rate.
    EXPECT_GE(granted.size(), 590u);
    EXPECT_LE(granted.size(), 605u);
  }
}

TEST(RateLimiter, FractionalAndFastRates) {
  {
    RateLimiter limiter(2.5, 1);
    const auto granted = simulate(limiter, 120s, 42);
    expect_never_exceeds(granted, 2.5, 1);
    EXPECT_GE(granted.size(), 295u);
  }
  {
    RateLimiter limiter(3, 1);  // 1/3 s is not a whole number of nanoseconds: must round up
    const auto granted = simulate(limiter, 30s, 43);
    expect_never_exceeds(granted, 3, 1);
  }
  {
    RateLimiter limiter(250, 20);
    const auto granted = simulate(limiter, 4s, 44);
    expect_never_exceeds(granted, 250, 20);
  }
}

TEST(RateLimiter, BlockUntilHoldsBackEveryone) {
  RateLimiter limiter(100, 10);
  limiter.block_until(kStart + 5s);
  EXPECT_FALSE(limiter.try_acquire(kStart));
  EXPECT_EQ(limiter.next_available(kStart), kStart + 5s);
  limiter.block_until(kStart + 1s);  // never shortens
  EXPECT_EQ(limiter.next_available(kStart), kStart + 5s);
  EXPECT_FALSE(limiter.try_acquire(kStart + 4999ms));
  EXPECT_TRUE(limiter.try_acquire(kStart + 5s));
}

TEST(RateLimiter, ReconfigureKeepsSpentTokens) {
  RateLimiter limiter(1, 2);
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_FALSE(limiter.try_acquire(kStart));
  limiter.reconfigure(1, 4);
  EXPECT_EQ(limiter.burst(), 4u);
  // Two tokens spent, two more in a bucket of four.
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_TRUE(limiter.try_acquire(kStart));
  EXPECT_FALSE(limiter.try_acquire(kStart));
}

TEST(RateLimiter, RejectsBadConfiguration) {
  EXPECT_THROW(RateLimiter(0, 1), std::invalid_argument);
  EXPECT_THROW(RateLimiter(-1, 1), std::invalid_argument);
  EXPECT_THROW(RateLimiter(std::numeric_limits<double>::infinity(), 1), std::invalid_argument);
  EXPECT_THROW(RateLimiter(std::numeric_limits<double>::quiet_NaN(), 1), std::invalid_argument);
  EXPECT_THROW(RateLimiter(1, 0), std::invalid_argument);
  EXPECT_THROW(RateLimiter(1e-12, 1), std::invalid_argument);
}

}  // namespace
}  // namespace opsync
