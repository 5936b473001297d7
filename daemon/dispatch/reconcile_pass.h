#pragma once
// The closed loop: a reconcile pass reads one vendor's records back and compares them with what
// opsync maps, so that whatever changed at the vendor behind opsync's back is found and repaired.
//
// One pass over one connector:
// - Reads the vendor's list page by page (Connector::list_operators); a vendor without a list
//   call, or one that refuses it, is read one mapped id at a time (Connector::read_operator).
// - For every operator opsync maps to that vendor (an id mapping), compares map(canonical) with
//   the vendor's values field by field (Connector::in_step), over the fields both sides have. A
//   field that differs is written into the shadow as the vendor holds it and a push is queued
//   in the outbox: the normal diff then sends the repair, through the normal lanes, retries and
//   rate limits. The pass never calls a vendor's write API itself.
// - A mapped id the vendor no longer has (absent from the complete list and confirmed by a read,
//   or a read answering not_found): the mapping and shadow are forgotten and a full push is
//   queued, which resolves the operator again (lookup or create).
// - A vendor record opsync maps to no operator is counted and reported (its id among the first
//   few), never changed.
// - A failed read is retried with backoff (honouring the vendor's retry_after) up to a bound,
//   then the pass ends as failed.
// - Progress (cursor and counts) is committed page by page with the repairs it queued, in the
//   store's reconcile_passes (store/reconcile_passes.h): a pass stopped by a reload or a restart
//   stays `running` there and is resumed from its cursor by the next scheduler; it is reported
//   finished only when it did finish.
//
// Everything runs on the io_context's thread. Only the state store throws (fatal, as in the
// dispatcher).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/connector.h"
#include "store/reconcile_passes.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace opsync {

class StateStore;

struct ReconcileOptions {
  /// Wall clock in ms since the epoch (pass times, outbox times). Default: system_clock.
  std::function<std::int64_t()> now_ms;
  /// An outbox row for (connector, operator) was added or bumped and committed.
  std::function<void(const std::string& connector, const std::string& operator_id)> notify;
  /// A pass ended (finished or failed); not called for a pass that was stopped.
  std::function<void(const ReconcilePassRow& pass)> on_end;
  /// Attempts of one read before the pass gives up (failed).
  unsigned max_read_attempts = 6;
  /// Unknown vendor ids kept in the counts.
  std::size_t unknown_ids_shown = 20;
  /// The first periodic pass of a connector that never had one starts this long after the
  /// scheduler (or one interval, if shorter).
  std::chrono::milliseconds first_pass_delay{std::chrono::minutes(10)};
  /// Seed of the retry jitter.
  std::uint64_t seed = 0x5eed;
};

/// Stops one running pass: the pass returns at its next step, leaving its row running. A vendor
/// read in flight is cancelled (terminal), as the dispatcher cancels pushes on a drain.
struct PassControl {
  explicit PassControl(boost::asio::io_context& io) : timer(io) {}
  bool stopped = false;
  bool done = false;
  boost::asio::steady_timer timer;  ///< backoff waits; cancelled by stop()
  boost::asio::cancellation_signal cancel;
  void stop() {
    if (stopped) return;
    stopped = true;
    timer.cancel();
    if (!done) cancel.emit(boost::asio::cancellation_type::terminal);
  }
};

/// Runs `pass` (a running row: new, or left by an earlier process) of `connector` to its end.
/// `options.now_ms` must be set.
boost::asio::awaitable<void> run_reconcile_pass(Connector& connector, StateStore& store,
                                                ReconcilePassRow pass,
                                                std::shared_ptr<PassControl> control,
                                                ReconcileOptions options);

/// What ReconcileScheduler::start_now did.
enum class ReconcileStart {
  started,            ///< a pass is running now
  already_running,    ///< one was running already; nothing changed
  unknown_connector,  ///< no such connector
  unavailable,        ///< the scheduler is stopped (a reload or shutdown under way)
};

/// The passes of one connector set: resumes the passes an earlier run left running, starts
/// periodic ones every DeliveryLimits::reconcile_interval (zero: none), and admin-requested
/// ones. One pass at a time per connector. Delivery owns one per running set and stops it before
/// the set is replaced or drained.
class ReconcileScheduler {
 public:
  ReconcileScheduler(boost::asio::io_context& io, StateStore& store,
                     std::vector<Connector*> connectors, ReconcileOptions options);
  ~ReconcileScheduler();
  ReconcileScheduler(const ReconcileScheduler&) = delete;
  ReconcileScheduler& operator=(const ReconcileScheduler&) = delete;

  /// Resumes the connectors' running passes and starts the periodic timers. Call once.
  void start();
  /// Stops every pass (each stays running in the store) and timer. Nothing happens afterwards.
  void stop();

  /// Starts a pass of `connector` now (trigger "admin").
  ReconcileStart start_now(const std::string& connector);
  bool running(const std::string& connector) const;

  struct Slot;

 private:
  void launch(Slot& slot, ReconcilePassRow pass);

  boost::asio::io_context& io_;
  StateStore& store_;
  ReconcileOptions options_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;
  bool stopped_ = false;
};

}  // namespace opsync
