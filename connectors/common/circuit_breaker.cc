#include "common/circuit_breaker.h"

#include <algorithm>
#include <stdexcept>

namespace opsync {

CircuitBreaker::CircuitBreaker(CircuitBreakerConfig config)
    : config_(config), cool_down_(config.cool_down) {
  if (config_.failure_threshold == 0) {
    throw std::invalid_argument("circuit breaker: failure_threshold must be at least 1");
  }
  if (config_.half_open_probes == 0) {
    throw std::invalid_argument("circuit breaker: half_open_probes must be at least 1");
  }
  if (!(config_.cool_down_multiplier >= 1.0)) {
    throw std::invalid_argument("circuit breaker: cool_down_multiplier must be at least 1");
  }
  if (config_.cool_down.count() <= 0) {
    throw std::invalid_argument("circuit breaker: cool_down must be positive");
  }
  config_.max_cool_down = std::max(config_.max_cool_down, config_.cool_down);
}

bool CircuitBreaker::allow(Clock::time_point now) {
  switch (state_) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      if (now < open_until_) return false;
      state_ = BreakerState::half_open;
      probes_in_flight_ = 0;
      [[fallthrough]];
    case BreakerState::half_open:
      if (probes_in_flight_ >= config_.half_open_probes) return false;
      ++probes_in_flight_;
      return true;
  }
  return false;
}

void CircuitBreaker::on_success(Clock::time_point /*now*/) {
  switch (state_) {
    case BreakerState::closed:
      consecutive_failures_ = 0;
      break;
    case BreakerState::half_open:
      state_ = BreakerState::closed;
      consecutive_failures_ = 0;
      probes_in_flight_ = 0;
      cool_down_ = config_.cool_down;
      break;
    case BreakerState::open:
      break;  // a call admitted before the breaker opened: no verdict on the cool-down
  }
}

void CircuitBreaker::on_failure(Clock::time_point now) {
  switch (state_) {
    case BreakerState::closed:
      if (++consecutive_failures_ >= config_.failure_threshold) open(now, /*grow=*/false);
      break;
    case BreakerState::half_open:
      open(now, /*grow=*/true);
      break;
    case BreakerState::open:
      break;  // already open; a late failure does not extend the cool-down
  }
}

void CircuitBreaker::on_abandoned() {
  if (state_ == BreakerState::half_open && probes_in_flight_ > 0) --probes_in_flight_;
}

BreakerState CircuitBreaker::state(Clock::time_point now) const {
  if (state_ == BreakerState::open && now >= open_until_) return BreakerState::half_open;
  return state_;
}

void CircuitBreaker::open(Clock::time_point now, bool grow) {
  if (grow) {
    const double next = static_cast<double>(cool_down_.count()) * config_.cool_down_multiplier;
    const double cap = static_cast<double>(config_.max_cool_down.count());
    cool_down_ = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(next, cap)));
  }
  state_ = BreakerState::open;
  probes_in_flight_ = 0;
  consecutive_failures_ = 0;
  open_until_ = now + cool_down_;
}

}  // namespace opsync
