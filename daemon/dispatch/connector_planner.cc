#include "dispatch/connector_planner.h"

#include "dispatch/push_plan.h"

namespace opsync {

bool ConnectorPlanner::needs_push(const CanonicalOperator& op, StateStore& store) {
  return plan_push(connector_, op, store).needs_push();
}

}  // namespace opsync
