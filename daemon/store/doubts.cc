#include "store/doubts.h"

namespace opsync {

Doubts::Doubts(sqlite::Connection& db)
    : mark_(db.prepare("INSERT OR IGNORE INTO push_doubts (connector, operator_id, since_ms) "
                       "VALUES (?1, ?2, ?3)")),
      mark_pending_(
          db.prepare("INSERT OR IGNORE INTO push_doubts (connector, operator_id, since_ms) "
                     "SELECT connector, operator_id, ?2 FROM outbox WHERE connector = ?1")),
      clear_(db.prepare("DELETE FROM push_doubts WHERE connector = ?1 AND operator_id = ?2")),
      contains_(db.prepare("SELECT 1 FROM push_doubts WHERE connector = ?1 AND operator_id = ?2")),
      list_(db.prepare(
          "SELECT operator_id FROM push_doubts WHERE connector = ?1 ORDER BY operator_id")) {}

void Doubts::mark(const std::string& connector, const std::string& operator_id,
                  std::int64_t now_ms) {
  mark_.bind(1, connector).bind(2, operator_id).bind(3, now_ms).run();
}

void Doubts::mark_pending(const std::string& connector, std::int64_t now_ms) {
  mark_pending_.bind(1, connector).bind(2, now_ms).run();
}

void Doubts::clear(const std::string& connector, const std::string& operator_id) {
  clear_.bind(1, connector).bind(2, operator_id).run();
}

bool Doubts::contains(const std::string& connector, const std::string& operator_id) {
  auto& s = contains_;
  s.bind(1, connector).bind(2, operator_id);
  const bool found = s.step();
  s.reset();
  return found;
}

std::vector<std::string> Doubts::list(const std::string& connector) {
  auto& s = list_;
  s.bind(1, connector);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.column_text(0));
  s.reset();
  return out;
}

}  // namespace opsync
