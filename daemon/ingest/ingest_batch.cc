#include "ingest/ingest_batch.h"

#include <spdlog/spdlog.h>

#include "events/event_decoder.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"

namespace opsync {

IngestCounts& IngestCounts::operator+=(const IngestCounts& o) {
  consumed += o.consumed;
  applied += o.applied;
  unchanged += o.unchanged;
  stale += o.stale;
  duplicate += o.duplicate;
  invalid += o.invalid;
  pushes_queued += o.pushes_queued;
  for (const auto& [k, v] : o.invalid_by_reason) invalid_by_reason[k] += v;
  return *this;
}

namespace {

DeadLetter make_dead_letter(const ConsumedMessage& m, const DecodeError& error) {
  DeadLetter d;
  d.key = m.key;
  d.value = m.value;
  d.headers = m.headers;
  d.headers.push_back({dlq_header::kReason, error.reason});
  d.headers.push_back({dlq_header::kDetail, error.detail});
  d.headers.push_back({dlq_header::kSourceTopic, m.topic});
  d.headers.push_back({dlq_header::kSourcePartition, std::to_string(m.partition)});
  d.headers.push_back({dlq_header::kSourceOffset, std::to_string(m.offset)});
  return d;
}

}  // namespace

IngestResult IngestBatch::apply(std::span<const ConsumedMessage> messages, std::int64_t now_ms) {
  IngestResult result;
  auto& c = result.counts;
  // On a store failure nothing of the batch is durable: the transaction rolls back as the
  // exception leaves.
  Transaction tx(store_);
  for (const auto& m : messages) {
    ++c.consumed;
    std::string_view key = m.has_key ? std::string_view(m.key) : std::string_view();
    DecodeOutcome decoded = decoder_.decode(key, m.value, m.headers);
    if (!decoded.ok()) {
      ++c.invalid;
      ++c.invalid_by_reason[decoded.error.reason];
      store_.dead_letters().enqueue(make_dead_letter(m, decoded.error), now_ms);
      spdlog::warn("event=dead_lettered reason={} detail=\"{}\" topic={} partition={} offset={}",
                   decoded.error.reason, decoded.error.detail, m.topic, m.partition, m.offset);
    } else {
      const OperatorEvent& ev = *decoded.event;
      ApplyResult r = reconciler_.apply(ev, now_ms);
      switch (r.outcome) {
        case ApplyOutcome::applied:
          ++c.applied;
          break;
        case ApplyOutcome::unchanged:
          ++c.unchanged;
          break;
        case ApplyOutcome::stale:
          ++c.stale;
          break;
        case ApplyOutcome::duplicate:
          ++c.duplicate;
          break;
      }
      c.pushes_queued += r.pushes_queued;
      for (const std::string* connector : r.queued_connectors) {
        result.queued_pushes.emplace_back(*connector, ev.operator_id);
      }
      if (r.outcome != ApplyOutcome::applied) {
        spdlog::debug("event={} operator={} event_id={} offset={} reason=\"{}\"",
                      to_string(r.outcome), ev.operator_id, ev.event_id, m.offset, r.reason);
      }
    }
    result.next_offsets[{m.topic, m.partition}] = m.offset + 1;
  }
  for (const auto& [tp, next] : result.next_offsets)
    store_.progress().save_offset(tp.first, tp.second, next);
  store_.progress().add_counter("events_consumed", c.consumed);
  store_.progress().add_counter("events_applied", c.applied);
  store_.progress().add_counter("events_unchanged", c.unchanged);
  store_.progress().add_counter("events_stale", c.stale);
  store_.progress().add_counter("events_duplicate", c.duplicate);
  store_.progress().add_counter("events_invalid", c.invalid);
  tx.commit();
  return result;
}

}  // namespace opsync
