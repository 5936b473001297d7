#include "dispatch/push_plan.h"

#include "framework/diff.h"
#include "store/state_store.h"

namespace opsync {

PushPlan plan_push(const Connector& connector, const CanonicalOperator& op,
                   const std::optional<boost::json::object>& shadow,
                   std::optional<std::string> vendor_id, bool full_resync) {
  PushPlan plan;
  plan.vendor_id = std::move(vendor_id);
  plan.full = full_resync;
  if (op.deleted && connector.delete_policy() == DeletePolicy::remove) {
    // Nothing to send but the delete itself; done once the shadow is gone.
    plan.remove = shadow.has_value();
    return plan;
  }
  MapResult mapped = connector.map(op);
  if (!mapped.ok()) {
    plan.mapping_error = std::move(mapped.error);
    return plan;
  }
  plan.desired = std::move(mapped.fields);
  static const boost::json::object kEmpty;
  plan.changed = diff_fields(plan.desired, shadow ? *shadow : kEmpty, connector.clear_style());
  if (full_resync) {
    // Every mapped value, plus the clears the diff found (the shadow's fields no longer wanted).
    for (const auto& [key, value] : plan.desired) plan.changed[key] = value;
  }
  add_required_fields(plan.changed, plan.desired, connector.required_fields());
  return plan;
}

PushPlan plan_push(const Connector& connector, const CanonicalOperator& op, StateStore& store,
                   bool full_resync) {
  std::optional<std::string> vendor_id = store.shadows().load_vendor_id(connector.name(), op.id);
  if (!vendor_id) {
    if (const auto* ids = op.attributes.if_contains("external_ids"); ids && ids->is_object()) {
      if (const auto* id = ids->as_object().if_contains(connector.name()); id && id->is_string()) {
        vendor_id = std::string(id->as_string());
      }
    }
  }
  // The vendor may hold values the shadow does not know (an unknown outcome): send everything.
  if (!full_resync) full_resync = store.doubts().contains(connector.name(), op.id);
  return plan_push(connector, op, store.shadows().load(connector.name(), op.id),
                   std::move(vendor_id), full_resync);
}

}  // namespace opsync
