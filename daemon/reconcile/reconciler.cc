#include "reconcile/reconciler.h"

#include <algorithm>

#include "store/state_store.h"

namespace opsync {

std::string_view to_string(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::applied:
      return "applied";
    case ApplyOutcome::unchanged:
      return "unchanged";
    case ApplyOutcome::stale:
      return "stale";
    case ApplyOutcome::duplicate:
      return "duplicate";
  }
  return "unknown";
}

namespace {

// The ordering rule of the event contract: revision orders events; without one, time does;
// without both, arrival order does. Returns the reason when `event` is not newer than `current`.
std::string staleness(const CanonicalOperator& current, const OperatorEvent& event) {
  if (event.revision && current.revision != CanonicalOperator::kNone) {
    if (*event.revision <= current.revision) {
      return "revision " + std::to_string(*event.revision) +
             " is not greater than stored revision " + std::to_string(current.revision);
    }
    return {};
  }
  if (event.time_ms && current.event_time_ms != CanonicalOperator::kNone &&
      *event.time_ms < current.event_time_ms) {
    return "time is older than the last applied event's time";
  }
  return {};
}

}  // namespace

CanonicalOperator Reconciler::fold(const CanonicalOperator& current, const OperatorEvent& event) {
  CanonicalOperator next = current;
  next.id = event.operator_id;
  if (event.revision) next.revision = std::max(next.revision, *event.revision);
  if (event.time_ms) next.event_time_ms = std::max(next.event_time_ms, *event.time_ms);

  if (event.mode == EventMode::snapshot) {
    next.attributes.clear();
    for (const auto& [k, v] : event.attributes) {
      if (!v.is_null()) next.attributes[k] = v;
    }
  } else {
    for (const auto& [k, v] : event.attributes) {
      if (v.is_null()) {
        next.attributes.erase(k);
      } else {
        next.attributes[k] = v;
      }
    }
  }
  // `created` revives a deleted operator; `updated` changes attributes but leaves it deleted.
  if (event.type == EventType::created) next.deleted = false;
  if (event.type == EventType::deleted) next.deleted = true;
  return next;
}

ApplyResult Reconciler::apply(const OperatorEvent& event, std::int64_t now_ms) {
  ApplyResult result;
  if (!store_.operators().mark_event_processed(event.source, event.event_id, now_ms)) {
    result.outcome = ApplyOutcome::duplicate;
    result.reason = "event id already processed from this source";
    return result;
  }

  auto existing = store_.operators().load(event.operator_id);
  CanonicalOperator current;
  if (existing) {
    current = std::move(*existing);
    if (auto why = staleness(current, event); !why.empty()) {
      result.outcome = ApplyOutcome::stale;
      result.reason = std::move(why);
      return result;
    }
  } else {
    current.id = event.operator_id;
  }

  CanonicalOperator next = fold(current, event);
  const bool changed =
      !existing || next.deleted != current.deleted || next.attributes != current.attributes;
  store_.operators().save(next, now_ms);
  if (!changed) {
    result.outcome = ApplyOutcome::unchanged;
    result.reason = "the record already holds these values";
    return result;
  }
  for (PushPlanner* planner : planners_) {
    if (planner->needs_push(next, store_)) {
      store_.outbox().upsert(planner->connector_name(), next.id, now_ms);
      ++result.pushes_queued;
      result.queued_connectors.push_back(&planner->connector_name());
    }
  }
  return result;
}

}  // namespace opsync
