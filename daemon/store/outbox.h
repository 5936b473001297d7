#pragma once
// The outbox: the pushes still to be made, one row per (connector instance, operator), with
// their retry schedule. A new change coalesces into the existing row.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace opsync {

/// A pending push for one operator at one connector instance. At most one exists per pair: a later
/// change bumps `generation` instead of adding a row (coalescing). The payload is not stored: the
/// dispatcher maps the canonical record and diffs it against the shadow when it sends, so a push
/// always carries the latest desired values.
struct OutboxEntry {
  std::string connector;
  std::string operator_id;
  std::int64_t generation = 0;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::int64_t created_ms = 0;
  std::string last_error;
  /// Send every mapped field, not only the diff against the shadow. Stored as the generation at
  /// which the latest full push was asked for (0: none), so that completing a push that started
  /// before that request keeps it (see complete()).
  bool full_resync = false;
};

class Outbox {
 public:
  explicit Outbox(sqlite::Connection& db);
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  /// Adds a pending push, or bumps the generation of the existing one (its retry schedule is kept,
  /// so a change to a failing lane does not bypass backoff). Returns the new generation.
  std::int64_t upsert(const std::string& connector, const std::string& operator_id,
                      std::int64_t now_ms, bool full_resync = false);
  std::optional<OutboxEntry> load_entry(const std::string& connector,
                                        const std::string& operator_id);
  std::vector<OutboxEntry> load(const std::string& connector);
  std::int64_t size(const std::string& connector);
  void schedule_retry(const std::string& connector, const std::string& operator_id,
                      std::int64_t attempts, std::int64_t next_attempt_ms,
                      const std::string& last_error);
  /// The push of `generation` is done. Deletes the entry if no later change arrived meanwhile and
  /// returns true; otherwise makes it due now with a fresh attempt count and returns false. A
  /// full push asked for at a later generation (a resync requested while this push was in
  /// flight) stays asked for; one asked for at `generation` or before was this push.
  bool complete(const std::string& connector, const std::string& operator_id,
                std::int64_t generation, std::int64_t now_ms);

  /// Deletes every entry of `connector` (a connector removed from the configuration); returns
  /// how many there were.
  std::int64_t purge(const std::string& connector);

 private:
  sqlite::Connection& db_;
  sqlite::Statement upsert_, load_entry_, load_, size_, schedule_retry_, delete_, requeue_, purge_;
};

}  // namespace opsync
