#pragma once
// Pushes whose outcome is unknown, per (connector instance, operator): the vendor may hold values
// its shadow does not know (a reset after sending, a timeout, a 5xx, the daemon stopped
// mid-push). While a doubt stands, every push for that operator sends the full record instead of
// the diff against the shadow. Durable (schema version 4), so neither a restart nor a later
// permanent refusal forgets it.
//
// Set by the dispatcher on an unknown outcome (and for rows pending when it starts); cleared by
// an accepted full push, or by clear() after a read of the vendor's record (a reconcile pass).

#include <cstdint>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace opsync {

class Doubts {
 public:
  explicit Doubts(sqlite::Connection& db);
  Doubts(const Doubts&) = delete;
  Doubts& operator=(const Doubts&) = delete;

  /// The vendor's state of `operator_id` is in doubt from `now_ms` on (kept if already so).
  void mark(const std::string& connector, const std::string& operator_id, std::int64_t now_ms);
  /// Marks every operator with a pending outbox row of `connector` (a push may have been in
  /// flight when the last run ended).
  void mark_pending(const std::string& connector, std::int64_t now_ms);
  /// Resolved: an accepted full push, or a read of what the vendor holds.
  void clear(const std::string& connector, const std::string& operator_id);
  bool contains(const std::string& connector, const std::string& operator_id);
  /// The operators of `connector` in doubt, in id order.
  std::vector<std::string> list(const std::string& connector);

 private:
  sqlite::Statement mark_, mark_pending_, clear_, contains_, list_;
};

}  // namespace opsync
