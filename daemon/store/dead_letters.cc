#include "store/dead_letters.h"

#include "store/json_column.h"

namespace opsync {
namespace {

// header_bytes: for each header, its name's length, the name, its value's length, the value;
// lengths are 4 bytes, big-endian. Bytes as they are, whatever they hold.
void put_length(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::string encode_headers(const std::vector<MessageHeader>& headers) {
  std::string out;
  for (const auto& h : headers) {
    put_length(out, h.name.size());
    out += h.name;
    put_length(out, h.value.size());
    out += h.value;
  }
  return out;
}

bool take(std::string_view& in, std::string& out) {
  if (in.size() < 4) return false;
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i)
    n = (n << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  in.remove_prefix(4);
  if (in.size() < n) return false;
  out.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

/// The inverse of encode_headers. Throws on a truncated encoding (a corrupt store).
std::vector<MessageHeader> decode_headers(std::string_view in) {
  std::vector<MessageHeader> out;
  while (!in.empty()) {
    MessageHeader h;
    if (!take(in, h.name) || !take(in, h.value))
      throw sqlite::SqliteError(0, "corrupt dead-letter headers in the state store");
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace

DeadLetters::DeadLetters(sqlite::Connection& db)
    : enqueue_(
          db.prepare("INSERT INTO dead_letters (key, value, headers, header_bytes, created_ms) "
                     "VALUES (?1, ?2, '[]', ?3, ?4)")),
      load_(db.prepare(
          "SELECT seq, key, value, headers, header_bytes FROM dead_letters WHERE unpublishable IS "
          "NULL ORDER BY seq LIMIT ?1")),
      remove_(db.prepare("DELETE FROM dead_letters WHERE seq = ?1")),
      mark_(db.prepare("UPDATE dead_letters SET unpublishable = ?2 WHERE seq = ?1")),
      backlog_(db.prepare("SELECT count(*) FROM dead_letters WHERE unpublishable IS NULL")),
      unpublishable_(
          db.prepare("SELECT count(*) FROM dead_letters WHERE unpublishable IS NOT NULL")) {}

void DeadLetters::enqueue(const DeadLetter& letter, std::int64_t now_ms) {
  enqueue_.bind_blob(1, letter.key)
      .bind_blob(2, letter.value)
      .bind_blob(3, encode_headers(letter.headers))
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
    // Rows from before schema 3 have their headers as JSON only.
    d.headers = s.column_is_null(4) ? store_json::headers_from_json(s.column_view(3))
                                    : decode_headers(s.column_view(4));
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
