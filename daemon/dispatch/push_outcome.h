#pragma once
// What the outcome of one push does to the store, apart from the lanes that schedule pushes:
// each call commits one transaction (Durability::relaxed; Durability::full when it records a vendor
// id just learned, so that a power loss cannot forget an id the vendor issued) and says when the
// lane's outbox entry is next due. The dispatcher keeps the lanes, limits, breaker and counters
// (dispatcher.cc).
//
//   nothing to send   the entry is completed
//   accepted (ok)     shadow, learned vendor id and completion, together; a full push also
//                     resolves the doubt (store/doubts.h)
//   retry             the next attempt is scheduled in the outbox (backoff, server's pacing),
//                     and the vendor's state is in doubt (durably)
//   rejected          a dead letter and the completion, together (permanent, or unmappable);
//                     a doubt stays
//   vendor id gone    the stored vendor id and the shadow are forgotten (resolve again)
//
// Completing an entry deletes it unless a later change bumped its generation meanwhile; then it
// stays, due now, with a fresh attempt count, and full_resync only if it was asked for after the
// push started.

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "common/retry_policy.h"
#include "framework/connector.h"
#include "store/dead_letters.h"
#include "store/outbox.h"

namespace opsync {

class StateStore;
struct PushPlan;

/// When the lane's outbox entry is next due (ms since the epoch), or nullopt when it is gone.
using NextDue = std::optional<std::int64_t>;

class OutcomeRecorder {
 public:
  /// `now_ms`: the wall clock of outbox times. `seed`: of the backoff jitter.
  OutcomeRecorder(StateStore& store, std::function<std::int64_t()> now_ms, std::uint64_t seed);

  /// The record is gone or nothing differs from the shadow: the entry is done.
  NextDue nothing_to_send(const OutboxEntry& entry);

  /// The vendor accepted `plan`: merges what it acknowledged into the shadow (or removes the
  /// shadow, for a removal), keeps a newly learned vendor id and completes the entry.
  NextDue accepted(const OutboxEntry& entry, const PushPlan& plan, const PushResult& result);

  /// A transient failure: the next attempt after the jittered backoff of `backoff`, at least as
  /// late as the vendor asked (result.retry_after). Always returns a time.
  NextDue retry(const OutboxEntry& entry, const BackoffConfig& backoff, const PushResult& result);

  /// The push cannot succeed (vendor rejection, unmappable record): `letter` is queued for the
  /// dead-letter topic and the entry completed.
  NextDue dead_letter(const OutboxEntry& entry, const DeadLetter& letter);

  /// The vendor has no operator under the stored vendor id (PushResult::vendor_id_gone): forgets
  /// the id and the shadow (the vendor holds nothing for the operator). The entry stays as it
  /// is; the dispatcher pushes again without an id.
  void vendor_id_gone(const OutboxEntry& entry);

  /// The outbox's last_error of a retry: the status and the vendor's message.
  static std::string retry_message(const PushResult& result);

 private:
  StateStore& store_;
  std::function<std::int64_t()> now_ms_;
  std::mt19937_64 rng_;
};

}  // namespace opsync
