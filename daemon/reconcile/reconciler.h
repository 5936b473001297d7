#pragma once
// Folds a validated event into the canonical record and queues the pushes it implies.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/operator_event.h"
#include "model/canonical_operator.h"

namespace opsync {

class StateStore;

/// Decides, for one connector instance, whether a canonical record differs from what that vendor
/// last acknowledged. Implemented by the delivery engine (map the record, diff it with the shadow).
class PushPlanner {
 public:
  virtual ~PushPlanner() = default;
  virtual const std::string& connector_name() const = 0;
  /// True if the mapped record differs from the shadow, so a push is needed.
  virtual bool needs_push(const CanonicalOperator& op, StateStore& store) = 0;
};

enum class ApplyOutcome {
  applied,    ///< the record changed; pushes were queued where vendors differ
  unchanged,  ///< newer than the record, but it already held these values
  stale,      ///< not newer than the record (revision, else time); nothing changed
  duplicate,  ///< this source and id were processed before; nothing changed
};

std::string_view to_string(ApplyOutcome outcome);

struct ApplyResult {
  ApplyOutcome outcome = ApplyOutcome::applied;
  std::string reason;  ///< why nothing changed, for logs (empty when applied)
  int pushes_queued = 0;
  /// The connectors whose outbox entry for this operator was added or bumped.
  std::vector<const std::string*> queued_connectors;
};

class Reconciler {
 public:
  Reconciler(StateStore& store, std::vector<PushPlanner*> planners)
      : store_(store), planners_(std::move(planners)) {}

  /// Applies one event inside the caller's transaction.
  ApplyResult apply(const OperatorEvent& event, std::int64_t now_ms);

  void set_planners(std::vector<PushPlanner*> planners) { planners_ = std::move(planners); }

  /// Pure: the record that results from applying `event` to `current` (ordering not checked).
  static CanonicalOperator fold(const CanonicalOperator& current, const OperatorEvent& event);

 private:
  StateStore& store_;
  std::vector<PushPlanner*> planners_;
};

}  // namespace opsync
