#include "store/schema.h"

#include <iterator>

#include "store/sqlite.h"
#include "store/transaction.h"

namespace opsync::schema {
namespace {

// Each entry upgrades the schema from version (index) to version (index + 1).
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  event_time_ms INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
-- Keyed by a 64-bit FNV-1a hash of (source, id) as the rowid: one integer B-tree instead of a text
-- key plus an index. The row keeps source and id, so a hash collision is detected and probed past.
CREATE TABLE processed_events (
  h INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  seen_ms INTEGER NOT NULL
);
CREATE TABLE shadows (
  connector TEXT NOT NULL,
  operator_id TEXT NOT NULL,
  fields TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (connector, operator_id)
) WITHOUT ROWID;
CREATE TABLE id_mappings (
  connector TEXT NOT NULL,
  operator_id TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  PRIMARY KEY (connector, operator_id)
) WITHOUT ROWID;
CREATE INDEX id_mappings_vendor ON id_mappings (connector, vendor_id);
CREATE TABLE outbox (
  connector TEXT NOT NULL,
  operator_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  full_resync INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (connector, operator_id)
) WITHOUT ROWID;
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  headers TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE offsets (
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 1 -> 2: a dead letter the producer or broker refuses for good (a non-retriable delivery
    // error) is kept with the error and skipped, so that it cannot hold up the rows after it.
    R"sql(
ALTER TABLE dead_letters ADD COLUMN unpublishable TEXT;
)sql",
    // 2 -> 3: dead-letter headers as bytes. Header values are bytes, not text: the JSON of the
    // headers column cannot hold one that is not UTF-8. New rows write header_bytes (and '[]' in
    // headers); rows written before keep their JSON headers and header_bytes NULL, read as before.
    R"sql(
ALTER TABLE dead_letters ADD COLUMN header_bytes BLOB;
)sql",
    // 3 -> 4: the pairs whose last push was refused (GET /dead-letters, POST
    // /dead-letters/retry) and the progress of bulk resyncs (POST /connectors/{name}/resync).
    R"sql(
CREATE TABLE refusals (
  connector TEXT NOT NULL,
  operator_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  status INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (connector, operator_id)
) WITHOUT ROWID;
CREATE TABLE bulk_resyncs (
  connector TEXT PRIMARY KEY,
  requested_ms INTEGER NOT NULL,
  total INTEGER NOT NULL,
  queued INTEGER NOT NULL,
  cursor TEXT NOT NULL,
  finished_ms INTEGER
) WITHOUT ROWID;
)sql",
    // 4 -> 5, "push doubts" (issue 12 defect 5): a push whose outcome is unknown leaves the
    // vendor's state in doubt until a full push is accepted or a read resolves it. In memory
    // only, the doubt was forgotten after a later permanent refusal or a restart.
    R"sql(
CREATE TABLE push_doubts (
  connector TEXT NOT NULL,
  operator_id TEXT NOT NULL,
  since_ms INTEGER NOT NULL,
  PRIMARY KEY (connector, operator_id)
) WITHOUT ROWID;
)sql",
    // 5 -> 6 (reconcile passes): the
    // running and last reconcile passes per connector, with their cursor and counts, and each
    // running pass's targets (the id mappings when it began, and whether the vendor's list
    // showed them), so that a restart resumes a pass where it stopped.
    R"sql(
CREATE TABLE reconcile_passes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connector TEXT NOT NULL,
  state TEXT NOT NULL,
  trigger TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  mode TEXT NOT NULL,
  cursor TEXT,
  list_done INTEGER NOT NULL,
  counts TEXT NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX reconcile_passes_connector ON reconcile_passes (connector, id);
CREATE TABLE reconcile_targets (
  pass_id INTEGER NOT NULL,
  operator_id TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  seen INTEGER NOT NULL,
  PRIMARY KEY (pass_id, operator_id)
) WITHOUT ROWID;
CREATE INDEX reconcile_targets_vendor ON reconcile_targets (pass_id, vendor_id);
)sql",
};
constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));
static_assert(kMigrationCount == kVersion);

}  // namespace

void configure(sqlite::Connection& db, const std::string& synchronous) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = " + synchronous);
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA cache_size = -65536");  // 64 MiB page cache
  // Checkpoint every ~32 MiB of WAL instead of 4 MiB: pages rewritten by consecutive batches are
  // copied to the database once, which is most of the cost of a commit under load.
  db.exec("PRAGMA wal_autocheckpoint = 8192");
}

int version(sqlite::Connection& db) {
  auto s = db.prepare("PRAGMA user_version");
  return s.step() ? static_cast<int>(s.column_int(0)) : 0;
}

void migrate(sqlite::Connection& db, TransactionControl& transactions, const std::string& path) {
  const int current = version(db);
  if (current > kVersion) {
    throw sqlite::SqliteError(0, path + " has schema version " + std::to_string(current) +
                                     ", newer than this opsyncd supports (" +
                                     std::to_string(kVersion) + ")");
  }
  for (int v = current; v < kMigrationCount; ++v) {
    Transaction tx(transactions);
    db.exec(kMigrations[v]);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
  }
}

}  // namespace opsync::schema
