#include "store/refusals.h"

namespace opsync {

Refusals::Refusals(sqlite::Connection& db)
    : save_(db.prepare(
          "INSERT INTO refusals (connector, operator_id, at_ms, reason, status, message) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (connector, operator_id) DO UPDATE SET "
          "at_ms = excluded.at_ms, reason = excluded.reason, status = excluded.status, "
          "message = excluded.message")),
      remove_(db.prepare("DELETE FROM refusals WHERE connector = ?1 AND operator_id = ?2")),
      remove_connector_(db.prepare("DELETE FROM refusals WHERE connector = ?1")),
      list_(db.prepare("SELECT connector, operator_id, at_ms, reason, status, message FROM "
                       "refusals WHERE connector = ?1 AND operator_id > ?2 "
                       "ORDER BY operator_id LIMIT ?3")),
      count_(db.prepare("SELECT count(*) FROM refusals WHERE connector = ?1")) {}

void Refusals::save(const Refusal& r) {
  save_.bind(1, r.connector)
      .bind(2, r.operator_id)
      .bind(3, r.at_ms)
      .bind(4, r.reason)
      .bind(5, std::int64_t{r.status})
      .bind(6, r.message)
      .run();
}

void Refusals::remove(const std::string& connector, const std::string& operator_id) {
  remove_.bind(1, connector).bind(2, operator_id).run();
}

std::int64_t Refusals::remove_connector(const std::string& connector) {
  auto& s = count_;
  s.bind(1, connector);
  const std::int64_t n = s.step() ? s.column_int(0) : 0;
  s.reset();
  remove_connector_.bind(1, connector).run();
  return n;
}

std::vector<Refusal> Refusals::list(const std::string& connector, const std::string& after,
                                    std::size_t limit) {
  auto& s = list_;
  s.bind(1, connector).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
  std::vector<Refusal> out;
  while (s.step()) {
    Refusal r;
    r.connector = s.column_text(0);
    r.operator_id = s.column_text(1);
    r.at_ms = s.column_int(2);
    r.reason = s.column_text(3);
    r.status = static_cast<unsigned>(s.column_int(4));
    r.message = s.column_text(5);
    out.push_back(std::move(r));
  }
  s.reset();
  return out;
}

std::int64_t Refusals::count(const std::string& connector) {
  auto& s = count_;
  s.bind(1, connector);
  const std::int64_t n = s.step() ? s.column_int(0) : 0;
  s.reset();
  return n;
}

}  // namespace opsync
