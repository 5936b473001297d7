#include "common/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace opsync {

RateLimiter::RateLimiter(double rate_per_second, std::uint32_t burst) {
  reconfigure(rate_per_second, burst);
}

void RateLimiter::reconfigure(double rate_per_second, std::uint32_t burst) {
  if (!(rate_per_second > 0) || !std::isfinite(rate_per_second)) {
    throw std::invalid_argument("rate limit: rate_per_second must be a positive number");
  }
  if (burst < 1) throw std::invalid_argument("rate limit: burst must be at least 1");
  const double ticks_per_second = static_cast<double>(Clock::period::den) / Clock::period::num;
  const double interval = std::ceil(ticks_per_second / rate_per_second);
  if (interval >
      static_cast<double>(Clock::duration::max().count() / (static_cast<Clock::rep>(burst) + 1))) {
    throw std::invalid_argument("rate limit: rate_per_second is too small");
  }
  rate_ = rate_per_second;
  burst_ = burst;
  interval_ = Clock::duration(std::max<Clock::rep>(1, static_cast<Clock::rep>(interval)));
  tolerance_ = interval_ * (burst - 1);
}

bool RateLimiter::try_acquire(Clock::time_point now) {
  if (now < blocked_until_) return false;
  const Clock::time_point tat = std::max(tat_, now);
  if (tat - now > tolerance_) return false;
  tat_ = tat + interval_;
  return true;
}

RateLimiter::Clock::time_point RateLimiter::next_available(Clock::time_point now) const {
  const Clock::time_point tat = std::max(tat_, now);
  Clock::time_point at = tat - now > tolerance_ ? tat - tolerance_ : now;
  return std::max(at, blocked_until_);
}

void RateLimiter::block_until(Clock::time_point until) {
  blocked_until_ = std::max(blocked_until_, until);
}

}  // namespace opsync
