#include "dispatch/push_outcome.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "dispatch/dead_letter.h"
#include "dispatch/push_plan.h"
#include "framework/diff.h"
#include "ingest/ingest_batch.h"
#include "store/state_store.h"

namespace opsync {
namespace {

// The pair's refusal, from the letter's headers (reason, detail: the vendor's words or the mapping
// error, vendor status).
Refusal refusal_of(const OutboxEntry& entry, const DeadLetter& letter, std::int64_t now_ms) {
  Refusal r;
  r.connector = entry.connector;
  r.operator_id = entry.operator_id;
  r.at_ms = now_ms;
  for (const MessageHeader& h : letter.headers) {
    if (h.name == dlq_header::kReason) r.reason = h.value;
    if (h.name == dlq_header::kDetail) r.message = h.value;
    if (h.name == dispatch_dlq_header::kVendorStatus) {
      r.status = static_cast<unsigned>(std::strtoul(h.value.c_str(), nullptr, 10));
    }
  }
  return r;
}

}  // namespace

OutcomeRecorder::OutcomeRecorder(StateStore& store, std::function<std::int64_t()> now_ms,
                                 std::uint64_t seed)
    : store_(store), now_ms_(std::move(now_ms)), rng_(seed) {}

NextDue OutcomeRecorder::nothing_to_send(const OutboxEntry& entry) {
  const std::int64_t now_ms = now_ms_();
  Transaction tx(store_, Durability::relaxed);
  const bool done =
      store_.outbox().complete(entry.connector, entry.operator_id, entry.generation, now_ms);
  tx.commit();
  return done ? std::nullopt : NextDue(now_ms);
}

NextDue OutcomeRecorder::accepted(const OutboxEntry& entry, const PushPlan& plan,
                                  const PushResult& result) {
  const std::string& name = entry.connector;
  const std::string& op = entry.operator_id;
  const std::int64_t now_ms = now_ms_();
  // A vendor id learned now (a create, a lookup) is the only record of what the vendor issued:
  // forgetting it in a power loss means creating the operator a second time. Commit it at full
  // durability; a push to a known id stays relaxed (losing it only repeats the push).
  const bool learned = result.vendor_id && result.vendor_id != plan.vendor_id;
  Transaction tx(store_, learned ? Durability::full : Durability::relaxed);
  if (plan.remove) {
    store_.shadows().remove(name, op);
  } else {
    boost::json::object shadow = store_.shadows().load(name, op).value_or(boost::json::object{});
    const boost::json::object& ack = result.acknowledged ? *result.acknowledged : plan.changed;
    store_.shadows().save(name, op, merge_into_shadow(std::move(shadow), ack, plan.desired),
                          now_ms);
  }
  if (learned) {
    store_.shadows().save_vendor_id(name, op, *result.vendor_id);
  } else if (plan.vendor_id && !plan.remove && !store_.shadows().load_vendor_id(name, op)) {
    // The id came from the event's external_ids and the vendor took the push: it is the
    // operator's mapping from now on, so reconcile passes read it back (not as unknown).
    store_.shadows().save_vendor_id(name, op, *plan.vendor_id);
  }
  store_.refusals().remove(name, op);
  // Every mapped field was sent and taken (or the operator removed): the vendor's state is known.
  if (plan.full || plan.remove) store_.doubts().clear(name, op);
  const bool done = store_.outbox().complete(name, op, entry.generation, now_ms);
  tx.commit();
  return done ? std::nullopt : NextDue(now_ms);
}

NextDue OutcomeRecorder::retry(const OutboxEntry& entry, const BackoffConfig& backoff,
                               const PushResult& result) {
  const auto attempt = static_cast<unsigned>(std::max<std::int64_t>(0, entry.attempts));
  const std::chrono::milliseconds delay = retry_delay(backoff, attempt, result.retry_after, rng_);
  const std::int64_t due = now_ms_() + delay.count();
  const std::string message = retry_message(result);
  Transaction tx(store_, Durability::relaxed);
  store_.outbox().schedule_retry(entry.connector, entry.operator_id, entry.attempts + 1, due,
                                 message);
  // The push may or may not have been applied: the next one sends everything.
  store_.doubts().mark(entry.connector, entry.operator_id, now_ms_());
  tx.commit();
  spdlog::info("event=push_retry connector={} operator={} attempt={} delay_ms={} reason=\"{}\"",
               entry.connector, entry.operator_id, entry.attempts + 1, delay.count(), message);
  return due;
}

NextDue OutcomeRecorder::dead_letter(const OutboxEntry& entry, const DeadLetter& letter) {
  const std::int64_t now_ms = now_ms_();
  Transaction tx(store_, Durability::relaxed);
  store_.dead_letters().enqueue(letter, now_ms);
  store_.refusals().save(refusal_of(entry, letter, now_ms));
  const bool done =
      store_.outbox().complete(entry.connector, entry.operator_id, entry.generation, now_ms);
  tx.commit();
  return done ? std::nullopt : NextDue(now_ms);
}

void OutcomeRecorder::vendor_id_gone(const OutboxEntry& entry) {
  Transaction tx(store_, Durability::relaxed);
  store_.shadows().forget_vendor_id(entry.connector, entry.operator_id);
  store_.shadows().remove(entry.connector, entry.operator_id);
  tx.commit();
}

std::string OutcomeRecorder::retry_message(const PushResult& r) {
  std::string out = r.status ? "HTTP " + std::to_string(r.status) : std::string("no response");
  if (!r.message.empty()) out += ": " + r.message.substr(0, 512);
  return out;
}

}  // namespace opsync
