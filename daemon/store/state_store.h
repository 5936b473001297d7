#pragma once
// The durable state of one opsyncd instance: a single SQLite file (WAL) under the state directory.
// The StateStore opens the file (schema.h) and hands out its parts, one per seam, all over the
// one connection:
//   operators()    canonical records and processed event ids    (operator_records.h)
//   progress()     consumer offsets and durable counters         (progress.h)
//   outbox()       pending pushes and their retry schedule       (outbox.h)
//   shadows()      what each vendor acknowledged, vendor ids     (shadows.h)
//   doubts()       pushes whose outcome is unknown               (doubts.h)
//   dead_letters() records waiting for the dead-letter topic     (dead_letters.h)
//   refusals()     pairs whose last push was refused             (refusals.h)
//   bulk_resyncs() progress of full pushes to one connector      (bulk_resyncs.h)
//   reconcile_passes() reconcile passes, their cursor and counts (reconcile_passes.h)
//
// What a caller may rely on:
// - Every mutation made while a Transaction (transaction.h) is open becomes durable atomically
//   at its commit() (synchronous=FULL by default), or not at all.
// - The schema is versioned (PRAGMA user_version) and migrated forward on open; a file written
//   by a newer opsync is refused rather than damaged.
// - Methods throw sqlite::SqliteError on I/O or corruption; they are not for untrusted input.
// - Not thread-safe: one instance is used from the event loop's thread only.

#include <memory>
#include <string>

#include "store/bulk_resyncs.h"
#include "store/dead_letters.h"
#include "store/directory_lock.h"
#include "store/doubts.h"
#include "store/operator_records.h"
#include "store/outbox.h"
#include "store/progress.h"
#include "store/refusals.h"
#include "store/reconcile_passes.h"
#include "store/schema.h"
#include "store/shadows.h"
#include "store/transaction.h"

namespace opsync {

struct StoreOptions {
  /// "FULL" survives power loss; "NORMAL" survives process crashes only (faster).
  std::string synchronous = "FULL";
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = schema::kVersion;

  /// Opens (creating if needed) `<directory>/opsync.db`, holding the directory's lock
  /// (directory_lock.h) until destroyed. The database and its WAL and shared-memory files are
  /// created 0600. Throws DirectoryLockedError if another store (or opsyncd) holds the
  /// directory, sqlite::SqliteError or std::system_error on other failures.
  StateStore(const std::string& directory, StoreOptions options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const { return path_; }

  OperatorRecords& operators() { return *operators_; }
  Progress& progress() { return *progress_; }
  Outbox& outbox() { return *outbox_; }
  Shadows& shadows() { return *shadows_; }
  Doubts& doubts() { return *doubts_; }
  DeadLetters& dead_letters() { return *dead_letters_; }
  Refusals& refusals() { return *refusals_; }
  BulkResyncs& bulk_resyncs() { return *bulk_resyncs_; }
  ReconcilePasses& reconcile_passes() { return *reconcile_passes_; }

  /// A Transaction is open on this store.
  bool in_transaction() const { return tx_->open(); }

 private:
  friend class Transaction;
  TransactionControl& transactions() { return *tx_; }

  // First, so that it is released last, after the connection has closed.
  std::unique_ptr<DirectoryLock> lock_;
  std::string path_;
  std::unique_ptr<sqlite::Connection> db_;
  std::unique_ptr<TransactionControl> tx_;
  std::unique_ptr<OperatorRecords> operators_;
  std::unique_ptr<Progress> progress_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Shadows> shadows_;
  std::unique_ptr<Doubts> doubts_;
  std::unique_ptr<DeadLetters> dead_letters_;
  std::unique_ptr<Refusals> refusals_;
  std::unique_ptr<BulkResyncs> bulk_resyncs_;
  std::unique_ptr<ReconcilePasses> reconcile_passes_;
};

}  // namespace opsync
