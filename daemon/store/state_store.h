#pragma once
// The durable state of one opsyncd instance: a single SQLite file (WAL) under the state directory.
//
// What a caller may rely on:
// - Every mutation made between begin() and commit() becomes durable atomically at commit()
//   (synchronous=FULL by default), or not at all.
// - The schema is versioned (PRAGMA user_version) and migrated forward on open; a file written
//   by a newer opsync is refused rather than damaged.
// - Methods throw sqlite::SqliteError on I/O or corruption; they are not for untrusted input.
// - Not thread-safe: one instance is used from the event loop's thread only.

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/operator_event.h"
#include "model/canonical_operator.h"

namespace opsync {

namespace sqlite {
class Connection;
}

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
  bool full_resync = false;  ///< send every mapped field, not only the diff against the shadow
};

/// A record waiting to be published to the dead-letter topic.
struct DeadLetter {
  std::int64_t seq = 0;  ///< assigned by the store
  std::string key;
  std::string value;
  std::vector<MessageHeader> headers;
};

/// How a transaction's commit survives failures.
enum class Durability {
  /// Survives power loss (synchronous=FULL unless StoreOptions says otherwise): canonical
  /// changes, dead letters of invalid events and consumer offsets.
  full,
  /// Survives a process crash, not power loss (synchronous=NORMAL): bookkeeping whose loss only
  /// repeats work, such as a push's completion (the push is sent again, harmlessly, since it
  /// carries desired values) or a published dead letter's deletion. Saves an fsync per push.
  relaxed,
};

struct StoreOptions {
  /// "FULL" survives power loss; "NORMAL" survives process crashes only (faster).
  std::string synchronous = "FULL";
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 1;

  /// Opens (creating if needed) `<directory>/opsync.db`. Throws on failure.
  StateStore(const std::string& directory, StoreOptions options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const { return path_; }

  // Transactions: not nested. commit() makes everything since begin() durable to `durability`.
  void begin(Durability durability = Durability::full);
  void commit();
  void rollback();
  bool in_transaction() const { return in_tx_; }

  // Canonical operators.
  std::optional<CanonicalOperator> load_operator(const std::string& id);
  void save_operator(const CanonicalOperator& op, std::int64_t now_ms);
  std::int64_t count_operators();
  void for_each_operator(const std::function<void(const CanonicalOperator&)>& fn);

  /// Records (source, id) as processed. Returns false if it was already recorded (a duplicate).
  bool mark_event_processed(const std::string& source, const std::string& event_id,
                            std::int64_t now_ms);
  /// Deletes processed-event ids recorded before `cutoff_ms`. Returns how many.
  std::int64_t prune_processed_events(std::int64_t cutoff_ms);

  // Per-connector shadows: the fields each vendor last acknowledged.
  std::optional<boost::json::object> load_shadow(const std::string& connector,
                                                 const std::string& operator_id);
  void save_shadow(const std::string& connector, const std::string& operator_id,
                   const boost::json::object& fields, std::int64_t now_ms);
  void delete_shadow(const std::string& connector, const std::string& operator_id);

  // Vendor id mappings.
  std::optional<std::string> load_vendor_id(const std::string& connector,
                                            const std::string& operator_id);
  void save_vendor_id(const std::string& connector, const std::string& operator_id,
                      const std::string& vendor_id);

  // Outbox.
  /// Adds a pending push, or bumps the generation of the existing one (its retry schedule is kept,
  /// so a change to a failing lane does not bypass backoff). Returns the new generation.
  std::int64_t upsert_outbox(const std::string& connector, const std::string& operator_id,
                             std::int64_t now_ms, bool full_resync = false);
  std::optional<OutboxEntry> load_outbox_entry(const std::string& connector,
                                               const std::string& operator_id);
  std::vector<OutboxEntry> load_outbox(const std::string& connector);
  std::int64_t outbox_size(const std::string& connector);
  void schedule_retry(const std::string& connector, const std::string& operator_id,
                      std::int64_t attempts, std::int64_t next_attempt_ms,
                      const std::string& last_error);
  /// The push of `generation` is done. Deletes the entry if no later change arrived meanwhile and
  /// returns true; otherwise makes it due now with a fresh attempt count and returns false.
  bool complete_outbox(const std::string& connector, const std::string& operator_id,
                       std::int64_t generation, std::int64_t now_ms);

  // Dead letters awaiting publication.
  void enqueue_dead_letter(const DeadLetter& letter, std::int64_t now_ms);
  std::vector<DeadLetter> load_dead_letters(std::size_t limit);
  void delete_dead_letter(std::int64_t seq);
  std::int64_t dead_letter_backlog();

  // Consumer offsets: the next offset to read per partition, stored with the effects of the
  // messages before it.
  void save_offset(const std::string& topic, std::int32_t partition, std::int64_t next_offset);
  std::map<std::int32_t, std::int64_t> load_offsets(const std::string& topic);

  // Durable counters (how many events were applied, stale, duplicate, invalid...).
  void add_counter(const std::string& name, std::int64_t delta);
  std::map<std::string, std::int64_t> load_counters();

 private:
  struct Statements;
  void migrate();

  std::string path_;
  std::unique_ptr<sqlite::Connection> db_;
  std::unique_ptr<Statements> st_;
  bool in_tx_ = false;
  std::string full_sync_;  ///< the synchronous level of Durability::full
  Durability current_ = Durability::full;
};

}  // namespace opsync
