#include "dispatch/connector_planner.h"

#include "dispatch/push_plan.h"
#include "store/state_store.h"

namespace opsync {

bool ConnectorPlanner::needs_push(const CanonicalOperator& op, StateStore& store) {
  if (plan_push(connector_, op, store).needs_push()) return true;
  // No difference from the shadow, but a push is pending or in flight: the shadow lags it. If
  // the record has just changed back to the shadow's values (A -> B in flight -> A), the push
  // of B would land after this change and leave the vendor at B. Bumping the pending row's
  // generation makes the dispatcher plan again once that push ends.
  return store.outbox().load_entry(connector_.name(), op.id).has_value();
}

}  // namespace opsync
