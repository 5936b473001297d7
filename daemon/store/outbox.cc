#include "store/outbox.h"

namespace opsync {
namespace {

constexpr const char* kColumns =
    "connector, operator_id, generation, attempts, next_attempt_ms, created_ms, last_error, "
    "full_resync";

OutboxEntry read_row(sqlite::Statement& s) {
  OutboxEntry e;
  e.connector = s.column_text(0);
  e.operator_id = s.column_text(1);
  e.generation = s.column_int(2);
  e.attempts = s.column_int(3);
  e.next_attempt_ms = s.column_int(4);
  e.created_ms = s.column_int(5);
  e.last_error = s.column_text(6);
  e.full_resync = s.column_int(7) != 0;
  return e;
}

}  // namespace

Outbox::Outbox(sqlite::Connection& db)
    : db_(db),
      upsert_(db.prepare(
          "INSERT INTO outbox (connector, operator_id, generation, attempts, next_attempt_ms, "
          "created_ms, last_error, full_resync) VALUES (?1, ?2, 1, 0, ?3, ?3, '', ?4) "
          "ON CONFLICT (connector, operator_id) DO UPDATE SET generation = generation + 1, "
          // full_resync holds the generation that asked for the full push (see complete()).
          "full_resync = CASE WHEN excluded.full_resync != 0 THEN generation + 1 "
          "ELSE full_resync END RETURNING generation")),
      load_entry_(db.prepare(std::string("SELECT ") + kColumns +
                             " FROM outbox WHERE connector = ?1 AND operator_id = ?2")),
      load_(db.prepare(std::string("SELECT ") + kColumns + " FROM outbox WHERE connector = ?1")),
      size_(db.prepare("SELECT count(*) FROM outbox WHERE connector = ?1")),
      schedule_retry_(
          db.prepare("UPDATE outbox SET attempts = ?3, next_attempt_ms = ?4, last_error = ?5 "
                     "WHERE connector = ?1 AND operator_id = ?2")),
      delete_(db.prepare(
          "DELETE FROM outbox WHERE connector = ?1 AND operator_id = ?2 AND generation = ?3")),
      // A full push asked for after generation ?4 (while its push was in flight) is still owed.
      requeue_(db.prepare("UPDATE outbox SET attempts = 0, next_attempt_ms = ?3, "
                          "last_error = '', "
                          "full_resync = CASE WHEN full_resync > ?4 THEN full_resync ELSE 0 END "
                          "WHERE connector = ?1 AND operator_id = ?2")),
      purge_(db.prepare("DELETE FROM outbox WHERE connector = ?1")) {}

std::int64_t Outbox::upsert(const std::string& connector, const std::string& operator_id,
                            std::int64_t now_ms, bool full_resync) {
  auto& s = upsert_;
  s.bind(1, connector).bind(2, operator_id).bind(3, now_ms).bind(4, std::int64_t{full_resync});
  std::int64_t generation = s.step() ? s.column_int(0) : 0;
  s.reset();
  return generation;
}

std::optional<OutboxEntry> Outbox::load_entry(const std::string& connector,
                                              const std::string& operator_id) {
  auto& s = load_entry_;
  s.bind(1, connector).bind(2, operator_id);
  std::optional<OutboxEntry> out;
  if (s.step()) out = read_row(s);
  s.reset();
  return out;
}

std::vector<OutboxEntry> Outbox::load(const std::string& connector) {
  auto& s = load_;
  s.bind(1, connector);
  std::vector<OutboxEntry> out;
  while (s.step()) out.push_back(read_row(s));
  s.reset();
  return out;
}

std::int64_t Outbox::size(const std::string& connector) {
  auto& s = size_;
  s.bind(1, connector);
  std::int64_t n = s.step() ? s.column_int(0) : 0;
  s.reset();
  return n;
}

void Outbox::schedule_retry(const std::string& connector, const std::string& operator_id,
                            std::int64_t attempts, std::int64_t next_attempt_ms,
                            const std::string& last_error) {
  schedule_retry_.bind(1, connector)
      .bind(2, operator_id)
      .bind(3, attempts)
      .bind(4, next_attempt_ms)
      .bind(5, last_error)
      .run();
}

bool Outbox::complete(const std::string& connector, const std::string& operator_id,
                      std::int64_t generation, std::int64_t now_ms) {
  delete_.bind(1, connector).bind(2, operator_id).bind(3, generation).run();
  if (db_.changes() == 1) return true;
  requeue_.bind(1, connector).bind(2, operator_id).bind(3, now_ms).bind(4, generation).run();
  return false;
}

std::int64_t Outbox::purge(const std::string& connector) {
  purge_.bind(1, connector).run();
  return db_.changes();
}

}  // namespace opsync
