#include "store/bulk_resyncs.h"

namespace opsync {
namespace {

constexpr const char* kColumns = "connector, requested_ms, total, queued, cursor, finished_ms";

BulkResyncState read_row(sqlite::Statement& s) {
  BulkResyncState r;
  r.connector = s.column_text(0);
  r.requested_ms = s.column_int(1);
  r.total = s.column_int(2);
  r.queued = s.column_int(3);
  r.cursor = s.column_text(4);
  if (!s.column_is_null(5)) r.finished_ms = s.column_int(5);
  return r;
}

}  // namespace

BulkResyncs::BulkResyncs(sqlite::Connection& db)
    : load_(db.prepare(std::string("SELECT ") + kColumns +
                       " FROM bulk_resyncs WHERE connector = ?1")),
      load_running_(db.prepare(std::string("SELECT ") + kColumns +
                               " FROM bulk_resyncs WHERE finished_ms IS NULL ORDER BY connector")),
      save_(db.prepare(
          "INSERT INTO bulk_resyncs (connector, requested_ms, total, queued, cursor, finished_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (connector) DO UPDATE SET "
          "requested_ms = excluded.requested_ms, total = excluded.total, queued = excluded.queued, "
          "cursor = excluded.cursor, finished_ms = excluded.finished_ms")),
      remove_(db.prepare("DELETE FROM bulk_resyncs WHERE connector = ?1")) {}

std::optional<BulkResyncState> BulkResyncs::load(const std::string& connector) {
  auto& s = load_;
  s.bind(1, connector);
  std::optional<BulkResyncState> out;
  if (s.step()) out = read_row(s);
  s.reset();
  return out;
}

std::vector<BulkResyncState> BulkResyncs::load_running() {
  auto& s = load_running_;
  std::vector<BulkResyncState> out;
  while (s.step()) out.push_back(read_row(s));
  s.reset();
  return out;
}

void BulkResyncs::save(const BulkResyncState& r) {
  save_.bind(1, r.connector)
      .bind(2, r.requested_ms)
      .bind(3, r.total)
      .bind(4, r.queued)
      .bind(5, r.cursor);
  if (r.finished_ms) {
    save_.bind(6, *r.finished_ms);
  } else {
    save_.bind_null(6);
  }
  save_.run();
}

void BulkResyncs::remove(const std::string& connector) {
  remove_.bind(1, connector).run();
}

}  // namespace opsync
