#include "store/dead_letters.h"

#include "store/json_column.h"

namespace opsync {

DeadLetters::DeadLetters(sqlite::Connection& db)
    : enqueue_(db.prepare(
          "INSERT INTO dead_letters (key, value, headers, created_ms) VALUES (?1, ?2, ?3, ?4)")),
      load_(db.prepare("SELECT seq, key, value, headers FROM dead_letters WHERE unpublishable IS "
                       "NULL ORDER BY seq LIMIT ?1")),
      remove_(db.prepare("DELETE FROM dead_letters WHERE seq = ?1")),
      mark_(db.prepare("UPDATE dead_letters SET unpublishable = ?2 WHERE seq = ?1")),
      backlog_(db.prepare("SELECT count(*) FROM dead_letters WHERE unpublishable IS NULL")),
      unpublishable_(
          db.prepare("SELECT count(*) FROM dead_letters WHERE unpublishable IS NOT NULL")) {}

void DeadLetters::enqueue(const DeadLetter& letter, std::int64_t now_ms) {
  enqueue_.bind_blob(1, letter.key)
      .bind_blob(2, letter.value)
      .bind(3, store_json::headers_to_json(letter.headers))
      .bind(4, now_ms)
      .run();
}

std::vector<DeadLetter> DeadLetters::load(std::size_t limit) {
  auto& s = load_;
  s.bind(1, static_cast<std::int64_t>(limit));
  std::vector<DeadLetter> out;
  while (s.step()) {
    DeadLetter d;
    d.seq = s.column_int(0);
    d.key = s.column_text(1);
    d.value = s.column_text(2);
    d.headers = store_json::headers_from_json(s.column_view(3));
    out.push_back(std::move(d));
  }
  s.reset();
  return out;
}

void DeadLetters::remove(std::int64_t seq) {
  remove_.bind(1, seq).run();
}

void DeadLetters::mark_unpublishable(std::int64_t seq, std::string_view error) {
  mark_.bind(1, seq).bind(2, error).run();
}

std::int64_t DeadLetters::unpublishable() {
  std::int64_t n = unpublishable_.step() ? unpublishable_.column_int(0) : 0;
  unpublishable_.reset();
  return n;
}

std::int64_t DeadLetters::backlog() {
  std::int64_t n = backlog_.step() ? backlog_.column_int(0) : 0;
  backlog_.reset();
  return n;
}

}  // namespace opsync
