#include "store/operator_records.h"

#include <boost/json/serialize.hpp>
#include <limits>

#include "store/json_column.h"

namespace opsync {

OperatorRecords::OperatorRecords(sqlite::Connection& db)
    : db_(db),
      load_(db.prepare(
          "SELECT revision, event_time_ms, deleted, attributes FROM operators WHERE id = ?1")),
      save_(db.prepare(
          "INSERT INTO operators (id, revision, event_time_ms, deleted, attributes, updated_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
          "revision = excluded.revision, event_time_ms = excluded.event_time_ms, "
          "deleted = excluded.deleted, attributes = excluded.attributes, "
          "updated_ms = excluded.updated_ms")),
      count_(db.prepare("SELECT count(*) FROM operators")),
      ids_after_(db.prepare("SELECT id FROM operators WHERE id > ?1 ORDER BY id LIMIT ?2")),
      mark_event_(
          db.prepare("INSERT OR IGNORE INTO processed_events (h, source, event_id, seen_ms) "
                     "VALUES (?1, ?2, ?3, ?4)")),
      find_event_(db.prepare("SELECT source, event_id FROM processed_events WHERE h = ?1")),
      prune_events_(db.prepare(
          "DELETE FROM processed_events WHERE h IN (SELECT h FROM processed_events WHERE h >= ?1 "
          "AND seen_ms < ?2 ORDER BY h LIMIT ?3) RETURNING h")) {}

std::optional<CanonicalOperator> OperatorRecords::load(const std::string& id) {
  auto& s = load_;
  s.bind(1, id);
  std::optional<CanonicalOperator> out;
  if (s.step()) {
    CanonicalOperator op;
    op.id = id;
    op.revision = s.column_int(0);
    op.event_time_ms = s.column_int(1);
    op.deleted = s.column_int(2) != 0;
    op.attributes = store_json::parse_object(s.column_view(3));
    out = std::move(op);
  }
  s.reset();
  return out;
}

void OperatorRecords::save(const CanonicalOperator& op, std::int64_t now_ms) {
  save_.bind(1, op.id)
      .bind(2, op.revision)
      .bind(3, op.event_time_ms)
      .bind(4, std::int64_t{op.deleted ? 1 : 0})
      .bind(5, boost::json::serialize(op.attributes))
      .bind(6, now_ms)
      .run();
}

std::int64_t OperatorRecords::count() {
  std::int64_t n = count_.step() ? count_.column_int(0) : 0;
  count_.reset();
  return n;
}

std::vector<std::string> OperatorRecords::ids_after(const std::string& after, std::size_t limit) {
  auto& s = ids_after_;
  s.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.column_text(0));
  s.reset();
  return out;
}

void OperatorRecords::for_each(const std::function<void(const CanonicalOperator&)>& fn) {
  auto s = db_.prepare(
      "SELECT id, revision, event_time_ms, deleted, attributes FROM operators ORDER BY id");
  while (s.step()) {
    CanonicalOperator op;
    op.id = s.column_text(0);
    op.revision = s.column_int(1);
    op.event_time_ms = s.column_int(2);
    op.deleted = s.column_int(3) != 0;
    op.attributes = store_json::parse_object(s.column_view(4));
    fn(op);
  }
}

namespace {
std::int64_t event_hash(const std::string& source, const std::string& event_id) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bit: stable across builds and hosts
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(source);
  mix(std::string_view("\0", 1));
  mix(event_id);
  return static_cast<std::int64_t>(h);
}
}  // namespace

bool OperatorRecords::mark_event_processed(const std::string& source, const std::string& event_id,
                                           std::int64_t now_ms) {
  std::int64_t h = event_hash(source, event_id);
  for (int probe = 0; probe < 64; ++probe, ++h) {
    mark_event_.bind(1, h).bind(2, source).bind(3, event_id).bind(4, now_ms).run();
    if (db_.changes() == 1) return true;
    auto& f = find_event_;
    f.bind(1, h);
    const bool same = f.step() && f.column_view(0) == source && f.column_view(1) == event_id;
    f.reset();
    if (same) return false;
  }
  throw sqlite::SqliteError(0, "processed_events: too many hash collisions");
}

std::int64_t OperatorRecords::prune_processed_events(std::int64_t cutoff_ms) {
  // In slices of the key space, so a large table is pruned without one long statement.
  std::int64_t total = 0;
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    std::int64_t last = from;
    auto& s = prune_events_;
    s.bind(1, from).bind(2, cutoff_ms).bind(3, std::int64_t{20000});
    std::int64_t n = 0;
    while (s.step()) {
      ++n;
      last = std::max(last, s.column_int(0));
    }
    s.reset();
    total += n;
    if (n < 20000 || last == std::numeric_limits<std::int64_t>::max()) return total;
    from = last + 1;
  }
}

}  // namespace opsync
