#pragma once
// One vendor's request budget: every HTTP request a connector sends (pushes, lookups, page walks,
// token calls, reconcile reads) takes one token from it first (MeteredTransport). Live requests
// are served first; background requests (reconcile passes, bulk resyncs) get at most a share of
// the rate and wait while a live request waits. A pause (the vendor answered 429) holds every
// request of the connector.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "common/http_message.h"
#include "common/http_transport.h"
#include "common/rate_limiter.h"

namespace opsync {

/// A token bucket of `burst` tokens refilled at `rate_per_second` shared by every request of one
/// connector, with two priorities:
/// - over any window W, at most `burst + W * rate_per_second` requests are admitted in all;
/// - background requests are admitted only while no live request waits, and at most
///   `max(1, round(burst * background_share)) + W * rate_per_second * background_share` of them
///   over any window W;
/// - waiting requests of one priority are served in arrival order;
/// - while paused (pause_until), nothing is admitted.
/// Used on one event loop; acquire() must be awaited there. Must outlive every acquire() in
/// progress.
class RequestBudget {
 public:
  using Clock = std::chrono::steady_clock;

  /// Throws std::invalid_argument unless rate_per_second > 0, burst >= 1 and background_share
  /// is in (0, 1].
  RequestBudget(double rate_per_second, std::uint32_t burst, double background_share);
  ~RequestBudget();
  RequestBudget(const RequestBudget&) = delete;
  RequestBudget& operator=(const RequestBudget&) = delete;

  /// Waits until a request of `priority` may be sent and takes its token. Returns false, without
  /// a token, when the awaiting coroutine is cancelled (terminal cancellation) while waiting.
  boost::asio::awaitable<bool> acquire(RequestPriority priority);

  /// Takes a token for `priority` now if one is available and no request that would be served
  /// first is waiting. Never waits.
  bool try_acquire(RequestPriority priority, Clock::time_point now);
  /// Earliest time at or after `now` when a request of `priority` could be admitted, ignoring
  /// requests already waiting (the pause included).
  Clock::time_point next_available(RequestPriority priority, Clock::time_point now) const;

  /// Admits nothing before `until` (never shortens an earlier pause).
  void pause_until(Clock::time_point until);
  /// Ends the pause now; waiting requests are admitted as tokens allow.
  void resume();
  /// The end of the current pause (Clock::time_point::min() if never paused).
  Clock::time_point paused_until() const { return all_.blocked_until(); }

  double rate_per_second() const { return all_.rate_per_second(); }
  std::uint32_t burst() const { return all_.burst(); }
  double background_share() const { return background_share_; }

  /// Requests of `priority` waiting for a token now (metrics).
  std::size_t waiting(RequestPriority priority) const;
  /// Requests of `priority` admitted so far (metrics, tests).
  std::uint64_t admitted(RequestPriority priority) const;

 private:
  struct Waiter;
  using Queue = std::deque<std::shared_ptr<Waiter>>;

  bool background_allowed(Clock::time_point now) const;
  void take(RequestPriority priority, Clock::time_point now);
  /// Admits what can be admitted at `now` and arms the first waiter's timer for the next token.
  void serve(Clock::time_point now);
  Queue& queue(RequestPriority priority) {
    return priority == RequestPriority::live ? live_ : background_waiting_;
  }

  RateLimiter all_;    // every request
  RateLimiter share_;  // background requests only: their share of the rate
  double background_share_ = 1;
  Queue live_;
  Queue background_waiting_;
  std::uint64_t admitted_live_ = 0;
  std::uint64_t admitted_background_ = 0;
};

/// The HttpTransport of a connector: each request waits for a token of `budget` (at the
/// request's HttpRequest::priority), then goes to `inner`. A request cancelled while waiting
/// comes back with error boost::asio::error::operation_aborted and is never sent. The request's
/// timeout starts when its token is taken.
class MeteredTransport final : public HttpTransport {
 public:
  MeteredTransport(std::shared_ptr<HttpTransport> inner, std::shared_ptr<RequestBudget> budget);

  boost::asio::awaitable<HttpResult> request(HttpRequest request) override;

  const std::shared_ptr<RequestBudget>& budget() const { return budget_; }
  HttpTransport& inner() { return *inner_; }

 private:
  std::shared_ptr<HttpTransport> inner_;
  std::shared_ptr<RequestBudget> budget_;
};

}  // namespace opsync
