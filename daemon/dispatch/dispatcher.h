#pragma once
// Drains the outbox: per connector instance, per-operator lanes with one request in flight each,
// many lanes in parallel up to the connector's concurrency limit, behind its request budget
// (common/request_budget.h: every HTTP request of the connector takes a token, when the connector
// meters them; else one token per push) and circuit breaker. Everything runs on the shared
// io_context's thread; nothing throws on the data path except the state store (I/O or corruption).
//
// What a caller may rely on:
// - Per (connector, operator): pushes happen in order and one at a time; a push always carries
//   the latest canonical values (the outbox holds no payload; see plan_push).
// - The retry schedule (attempts, next attempt) lives in the outbox: a new Dispatcher on the same
//   store resumes it (start()).
// - Connectors are independent: separate lanes, limits, request budget and breaker each.
// - A 429 pauses the whole connector's budget (every request waits, background ones too): for
//   its Retry-After, or without one for the backoff delay of the lane that got it.
// - A refused credential (401 after the refresh, 403) dead-letters nothing: the connector is
//   auth_failed, its pushes wait in the outbox, one probe per auth_probe_interval; the first
//   probe answered otherwise (or a reload, which builds a new Dispatcher) releases them all.
// - After ok: shadow, learned vendor id and outbox completion commit in one transaction.
//   After permanent: the dead letter and outbox completion commit in one transaction. What each
//   outcome does to the store is OutcomeRecorder (push_outcome.h); this file keeps the lanes.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/circuit_breaker.h"
#include "framework/connector.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace opsync {

class StateStore;

/// Counters of one connector instance, for metrics.
struct DispatchCounters {
  std::uint64_t pushes_ok = 0;
  std::uint64_t pushes_retry = 0;      ///< pushes that will be retried (each a scheduled retry)
  std::uint64_t pushes_permanent = 0;  ///< vendor rejections sent to the dead-letter queue
  std::uint64_t mapping_errors = 0;    ///< records that could not be mapped (dead-lettered)
  std::uint64_t skipped = 0;           ///< outbox entries with nothing left to send
  std::size_t backlog = 0;             ///< operators with a pending push, now
  std::size_t in_flight = 0;           ///< lanes with a request in flight, now
  BreakerState breaker = BreakerState::closed;
  /// Times a vendor answer paused the whole connector (429, quota spent); one per pause, however
  /// many lanes the vendor answered so meanwhile.
  std::uint64_t pauses = 0;
  /// While the connector is paused now: when the pause ends (ms since the epoch, Options::now_ms)
  /// and what the vendor asked for (ms, before BackoffConfig::max_delay bounded it). 0 otherwise.
  std::int64_t paused_until_ms = 0;
  std::int64_t pause_requested_ms = 0;
  /// The vendor refuses the connector's credential (PushResult::credential_refused): its pushes
  /// are held (kept in the outbox, nothing dead-lettered) and one push at a time probes every
  /// Options::auth_probe_interval until one is answered otherwise. Since when (ms since the
  /// epoch, Options::now_ms), 0 when not.
  bool auth_failed = false;
  std::int64_t auth_failed_since_ms = 0;
  /// Times the connector entered auth_failed (one per episode, however many pushes were refused).
  std::uint64_t auth_failures = 0;
};

/// What Dispatcher::resume() did.
enum class ResumeResult {
  resumed,            ///< the pause is over; the connector's waiting pushes are due now
  unknown_connector,  ///< no connector of that name
  not_paused,         ///< the connector was not paused; nothing changed
};

class Dispatcher {
 public:
  struct Options {
    /// Wall clock in ms since the epoch (outbox times). Default: system_clock.
    std::function<std::int64_t()> now_ms;
    /// Seed of the backoff jitter.
    std::uint64_t seed = 0x0b5eed;
    /// Called after a dead letter was committed to the store (wake the dead-letter publisher).
    std::function<void()> on_dead_letter;
    /// Called after every vendor push with its outcome and duration (for metrics).
    std::function<void(const std::string& connector, PushOutcome outcome,
                       std::chrono::steady_clock::duration took)>
        on_push;
    /// While a connector is auth_failed: how long between two probes (one push each).
    std::chrono::milliseconds auth_probe_interval{60'000};
  };

  /// `store` and every connector must outlive the Dispatcher and, if drain() timed out, the
  /// io_context's run (cancelled pushes finish asynchronously but never touch the store).
  /// Connector names must be unique.
  Dispatcher(boost::asio::io_context& io, StateStore& store, std::vector<Connector*> connectors,
             Options options);
  Dispatcher(boost::asio::io_context& io, StateStore& store, std::vector<Connector*> connectors)
      : Dispatcher(io, store, std::move(connectors), Options{}) {}
  /// Abandons in-flight pushes (their outbox entries stay and are sent again after a restart).
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Loads every connector's outbox from the store and starts the lanes. Call once.
  void start();

  /// An outbox entry for (connector, operator) may have been added or changed (call after the
  /// ingest transaction committed). Unknown connector names are ignored.
  void notify(const std::string& connector, const std::string& operator_id);
  /// Re-reads every connector's outbox (e.g. after a batch, or after an admin resync).
  void notify_all();

  /// Stops starting pushes and waits for in-flight ones until `deadline`; then cancels what is
  /// still in flight (those entries stay in the outbox). The Dispatcher does nothing afterwards.
  boost::asio::awaitable<void> drain(std::chrono::steady_clock::time_point deadline);

  DispatchCounters counters(const std::string& connector) const;

  /// Ends a pause a vendor answer put on `connector` (an operator's override): its request
  /// budget accepts again at once and every push of the connector waiting for its next attempt is
  /// due now (their outbox schedule is rewritten by their next outcome). On an auth_failed
  /// connector it makes the next probe due now.
  ResumeResult resume(const std::string& connector);

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace opsync
