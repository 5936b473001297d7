#include "common/circuit_breaker.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace opsync {
namespace {

using namespace std::chrono_literals;
using Clock = CircuitBreaker::Clock;

const Clock::time_point kT0 = Clock::time_point(1'000s);

CircuitBreakerConfig config() {
  return {.failure_threshold = 3,
          .cool_down = 1'000ms,
          .max_cool_down = 5'000ms,
          .cool_down_multiplier = 2.0,
          .half_open_probes = 2};
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
  CircuitBreaker breaker(config());
  EXPECT_EQ(breaker.state(kT0), BreakerState::closed);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.allow(kT0));
    breaker.on_failure(kT0);
  }
  // A success in between resets the count.
  ASSERT_TRUE(breaker.allow(kT0));
  breaker.on_success(kT0);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.allow(kT0));
    breaker.on_failure(kT0);
  }
  EXPECT_EQ(breaker.state(kT0), BreakerState::closed);
  ASSERT_TRUE(breaker.allow(kT0));
  breaker.on_failure(kT0);
  EXPECT_EQ(breaker.state(kT0), BreakerState::open);
  EXPECT_EQ(static_cast<int>(breaker.state(kT0)), 2);
  EXPECT_FALSE(breaker.allow(kT0 + 999ms));
  EXPECT_EQ(breaker.open_until(), kT0 + 1s);
}

TEST(CircuitBreaker, HalfOpenAllowsKProbesThenSuccessCloses) {
  CircuitBreaker breaker(config());
  for (int i = 0; i < 3; ++i) breaker.on_failure(kT0);
  const auto t = kT0 + 1s;
  EXPECT_EQ(breaker.state(t), BreakerState::half_open);
  EXPECT_EQ(static_cast<int>(breaker.state(t)), 1);
  EXPECT_TRUE(breaker.allow(t));
  EXPECT_TRUE(breaker.allow(t));
  EXPECT_FALSE(breaker.allow(t));  // K = 2 probes in flight
  breaker.on_abandoned();          // one probe cancelled frees its slot
  EXPECT_TRUE(breaker.allow(t));
  breaker.on_success(t);
  EXPECT_EQ(breaker.state(t), BreakerState::closed);
  EXPECT_EQ(static_cast<int>(breaker.state(t)), 0);
  EXPECT_TRUE(breaker.allow(t));
  EXPECT_EQ(breaker.current_cool_down(), 1'000ms);
}

TEST(CircuitBreaker, ProbeFailureReopensWithGrowingCappedCoolDown) {
  CircuitBreaker breaker(config());
  for (int i = 0; i < 3; ++i) breaker.on_failure(kT0);
  auto t = kT0;
  const std::chrono::milliseconds expected[] = {2'000ms, 4'000ms, 5'000ms, 5'000ms};
  for (auto cool_down : expected) {
    t = breaker.open_until();
    ASSERT_TRUE(breaker.allow(t));
    EXPECT_EQ(breaker.state(t), BreakerState::half_open);
    breaker.on_failure(t);
    EXPECT_EQ(breaker.state(t), BreakerState::open);
    EXPECT_EQ(breaker.current_cool_down(), cool_down);
    EXPECT_EQ(breaker.open_until(), t + cool_down);
    EXPECT_FALSE(breaker.allow(t + cool_down - 1ms));
  }
  // Recovery resets the cool-down: the next outage starts from the base again.
  t = breaker.open_until();
  ASSERT_TRUE(breaker.allow(t));
  breaker.on_success(t);
  for (int i = 0; i < 3; ++i) breaker.on_failure(t);
  EXPECT_EQ(breaker.open_until(), t + 1'000ms);
}

TEST(CircuitBreaker, LateResultsWhileOpenChangeNothing) {
  CircuitBreaker breaker(config());
  for (int i = 0; i < 3; ++i) breaker.on_failure(kT0);
  breaker.on_success(kT0 + 10ms);  // a call admitted before the breaker opened
  breaker.on_failure(kT0 + 20ms);
  EXPECT_EQ(breaker.state(kT0 + 500ms), BreakerState::open);
  EXPECT_EQ(breaker.open_until(), kT0 + 1s);
}

TEST(CircuitBreaker, RejectsBadConfiguration) {
  auto c = config();
  c.failure_threshold = 0;
  EXPECT_THROW(CircuitBreaker{c}, std::invalid_argument);
  c = config();
  c.half_open_probes = 0;
  EXPECT_THROW(CircuitBreaker{c}, std::invalid_argument);
  c = config();
  c.cool_down_multiplier = 0.5;
  EXPECT_THROW(CircuitBreaker{c}, std::invalid_argument);
  c = config();
  c.cool_down = 0ms;
  EXPECT_THROW(CircuitBreaker{c}, std::invalid_argument);
}

}  // namespace
}  // namespace opsync
