#pragma once
// The reconciler's view of a connector: after a canonical change, is a push needed?

#include <string>

#include "framework/connector.h"
#include "reconcile/reconciler.h"

namespace opsync {

/// needs_push maps the record and diffs it with the connector's shadow (plan_push). A record
/// that cannot be mapped needs a push too: the dispatcher turns it into a dead letter naming the
/// missing mapping instead of dropping it silently. A record with a pending outbox row needs a
/// push whatever the diff says (the shadow does not yet reflect the push in flight).
class ConnectorPlanner final : public PushPlanner {
 public:
  explicit ConnectorPlanner(const Connector& connector) : connector_(connector) {}
  const std::string& connector_name() const override { return connector_.name(); }
  bool needs_push(const CanonicalOperator& op, StateStore& store) override;

 private:
  const Connector& connector_;
};

}  // namespace opsync
