#pragma once
// The delivery unit: the running connector set, the planners the reconciler asks, the dispatcher
// that drains their outbox, and the delivery counters that outlive any one set.
//
// What a caller may rely on:
// - replace() is all or nothing. Either the new set is running (every connector that was not
//   running caught up, a dispatcher over the new set started, the pending pushes of connectors it
//   dropped purged) or the previous set runs on exactly as it was: the same connector objects,
//   the same dispatcher, the same reconciler planners.
// - Which connectors run is durable (a marker per instance name in the store's counters). A
//   connector that joins the running set without one (new, or enabled again, at start or at a
//   reload) is caught up: every operator whose mapped record differs from that connector's
//   shadow gets a push queued. A connector that leaves it loses its pending pushes and its
//   marker; its shadows, vendor ids and doubts are kept, so that coming back diffs against what
//   the vendor last acknowledged.
// - counters() are monotonic for a connector name while the process lives: the totals of the
//   dispatchers a replace() retired are kept and added to the running one's.
// - Connectors a replace() retired stay alive until the Delivery is destroyed (pushes cut off by
//   a drain deadline may still be unwinding on the loop).
// - Each running set has a ReconcileScheduler (reconcile_pass.h): it is stopped before the set is
//   drained (reload, shutdown), and the passes it left running are resumed by the next set's.
// - Everything runs on the io_context's thread. Only the state store throws (I/O, corruption).

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dispatch/dispatcher.h"
#include "dispatch/reconcile_pass.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace opsync {

class ConnectorPlanner;
class Reconciler;
class StateStore;

/// What Delivery::resync() queued.
struct ResyncQueued {
  bool unknown_connector = false;       ///< the named connector is not running; nothing queued
  std::vector<std::string> connectors;  ///< the connectors a full push was queued for
};

/// Reconcile totals of one connector since the process started (for metrics).
struct ReconcileTotals {
  std::map<std::string, std::uint64_t> drift_found;     ///< by field
  std::map<std::string, std::uint64_t> drift_repaired;  ///< by field: repairs queued for it
  std::uint64_t finished = 0;                           ///< passes that finished
  std::uint64_t failed = 0;                             ///< passes abandoned after a failed read
  std::uint64_t missing_at_vendor = 0;
};

class Delivery {
 public:
  struct Options {
    /// Wall clock in ms since the epoch (outbox times). Default: system_clock.
    std::function<std::int64_t()> now_ms;
    /// Called after a dead letter was committed to the store (wake the dead-letter publisher).
    std::function<void()> on_dead_letter;
    /// Called after every vendor push with its outcome and duration (for metrics).
    std::function<void(const std::string& connector, PushOutcome outcome,
                       std::chrono::steady_clock::duration took)>
        on_push;
    /// Dispatcher::Options::auth_probe_interval.
    std::chrono::milliseconds auth_probe_interval{60'000};
    /// Reconcile passes (see reconcile_pass.h); now_ms, notify and on_end are Delivery's.
    ReconcileOptions reconcile;
  };

  /// `store` and `reconciler` must outlive the Delivery. The reconciler's planners are set by
  /// start() and replace().
  Delivery(boost::asio::io_context& io, StateStore& store, Reconciler& reconciler, Options options);
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  /// Installs the first connector set: catches up the connectors that were not running when the
  /// store was last used, starts the dispatcher and purges the pending pushes of connectors no
  /// longer configured. Throws (duplicate names, store errors) with nothing installed.
  void start(std::vector<std::unique_ptr<Connector>> connectors);

  /// Replaces the running set with `next`, all or nothing. The caller stops feeding changes
  /// (pauses ingest) until `done` is called: the new connectors are bootstrapped first (one
  /// transaction; the running dispatcher keeps going meanwhile), then the running dispatcher is
  /// drained until `drain_deadline` and the new one started. `done` gets an empty string on
  /// success, else the reason, and then the previous set is running. Only one replace() at a
  /// time: a second one while the first is under way fails at once.
  void replace(std::vector<std::unique_ptr<Connector>> next,
               std::chrono::steady_clock::time_point drain_deadline,
               std::function<void(const std::string& error)> done);

  /// An outbox entry for (connector, operator) was added or changed (after its commit).
  void notify(const std::string& connector, const std::string& operator_id);

  /// Queues a push of every mapped field of `operator_id` to `connector`, or to every running
  /// connector, in one transaction, and wakes their lanes. The caller checks that the operator
  /// exists.
  ResyncQueued resync(const std::string& operator_id, const std::optional<std::string>& connector);

  /// Queues a full push from the current canonical record for every pair of the running
  /// `connector` whose last push was refused (store refusals(); a refusal stays until a push is
  /// accepted). Returns how many were queued, or nullopt if no such connector runs.
  std::optional<std::size_t> retry_refused(const std::string& connector);

  /// Ends a pause a vendor answer put on the running `connector` (see Dispatcher::resume).
  ResumeResult resume(const std::string& connector);

  /// Starts a reconcile pass of the running `connector` now (see ReconcileScheduler).
  ReconcileStart reconcile(const std::string& connector);
  /// The running or last reconcile pass of `connector` (nullopt: none yet).
  std::optional<ReconcilePassRow> reconcile_status(const std::string& connector) const;
  /// Reconcile totals of `connector` since the process started.
  ReconcileTotals reconcile_totals(const std::string& connector) const;

  /// Stops starting pushes and waits for in-flight ones until `deadline` (see Dispatcher::drain).
  /// A replace() under way finishes first. Nothing is delivered afterwards. Reconcile passes
  /// stop at once (each stays running in the store, to be resumed by the next start).
  boost::asio::awaitable<void> drain(std::chrono::steady_clock::time_point deadline);

  // The read-only view, for the admin API, metrics and the demo.

  /// The running connectors, in configuration order.
  std::vector<const Connector*> connectors() const;
  const Connector* find(const std::string& name) const;
  /// Totals since the process started for `connector` (including the dispatchers that replace()
  /// retired), with the running dispatcher's backlog, in-flight count and breaker state.
  DispatchCounters counters(const std::string& connector) const;
  /// Every connector name that ran in this process, running or replaced (for totals that must
  /// not drop when a reload removes a connector).
  std::vector<std::string> all_connector_names() const;
  bool replacing() const { return replacing_; }

 private:
  struct Set;
  std::unique_ptr<Set> make_set(std::vector<std::unique_ptr<Connector>> connectors) const;
  std::unique_ptr<Dispatcher> make_dispatcher(
      const std::vector<std::unique_ptr<Connector>>& connectors) const;
  std::vector<std::string> bootstrap(const Set& set);
  void install(std::unique_ptr<Set> set);
  /// The connectors marked running in the store.
  std::set<std::string> marked_running();
  /// Purges the pending pushes and the running marker of the marked connectors that are not in
  /// `set` (logged once each). A store failure is logged and leaves them for the next time.
  void purge_removed(const Set& set);
  void purge(const std::vector<std::string>& names);
  void retire_running();
  void stop_reconcile();
  void count_pass(const ReconcilePassRow& pass);

  boost::asio::io_context& io_;
  StateStore& store_;
  Reconciler& reconciler_;
  Options options_;
  std::unique_ptr<Set> running_;
  /// Connectors of replaced sets, kept alive (see above).
  std::vector<std::unique_ptr<Connector>> retired_connectors_;
  /// Monotonic totals of the dispatchers replace() retired, by connector name.
  std::map<std::string, DispatchCounters> retired_totals_;
  std::map<std::string, ReconcileTotals> reconcile_totals_;
  bool replacing_ = false;
  bool drained_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace opsync
