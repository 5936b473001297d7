#pragma once
// What one push for one operator at one connector would send, computed from the canonical
// record and the shadow. Shared by the planner (at ingest: is a push needed?) and the
// dispatcher (at send time: what exactly goes out?), so both always agree.

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "framework/connector.h"
#include "model/canonical_operator.h"

namespace opsync {

class StateStore;

struct PushPlan {
  std::string mapping_error;    ///< set: the record cannot be mapped (a per-push error)
  boost::json::object desired;  ///< the full mapped record
  boost::json::object changed;  ///< diff vs the shadow (+ required fields); empty: nothing to send
  std::optional<std::string> vendor_id;
  /// Deleted under DeletePolicy::remove and the vendor may still hold the operator.
  bool remove = false;
  /// Planned as a full push (every mapped field): a resync, or the vendor's state in doubt. Its
  /// acceptance resolves a doubt.
  bool full = false;

  bool needs_push() const { return !mapping_error.empty() || !changed.empty() || remove; }
};

/// Pure: the plan for `op` given the vendor's `shadow` (nullopt: never acknowledged anything).
/// `full_resync` sends every mapped field regardless of the shadow, and still the clears of
/// fields the shadow holds that are no longer mapped. The dispatcher asks for it on a resync and
/// whenever the vendor's state is in doubt (see Dispatcher).
PushPlan plan_push(const Connector& connector, const CanonicalOperator& op,
                   const std::optional<boost::json::object>& shadow,
                   std::optional<std::string> vendor_id, bool full_resync = false);

/// Reads the shadow and vendor id from `store`, then plan_push. The vendor id falls back to the
/// record's `external_ids[<connector name>]`. A push in doubt (store.doubts()) is planned full.
PushPlan plan_push(const Connector& connector, const CanonicalOperator& op, StateStore& store,
                   bool full_resync = false);

}  // namespace opsync
