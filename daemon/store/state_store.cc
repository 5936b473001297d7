#include "store/state_store.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <limits>

#include "store/sqlite.h"

namespace opsync {
namespace json = boost::json;
using sqlite::Statement;

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
};
constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));
static_assert(kMigrationCount == StateStore::kSchemaVersion);

json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw sqlite::SqliteError(0, "corrupt JSON in the state store");
  return std::move(v.as_object());
}

std::string headers_to_json(const std::vector<MessageHeader>& headers) {
  json::array arr;
  arr.reserve(headers.size());
  for (const auto& h : headers)
    arr.push_back(json::array{json::string(h.name), json::string(h.value)});
  return json::serialize(arr);
}

std::vector<MessageHeader> headers_from_json(std::string_view text) {
  std::vector<MessageHeader> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.as_array()) {
    const auto* pair = item.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_string()) continue;
    out.push_back({std::string((*pair)[0].as_string()), std::string((*pair)[1].as_string())});
  }
  return out;
}

OutboxEntry read_outbox_row(Statement& s) {
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

constexpr const char* kOutboxColumns =
    "connector, operator_id, generation, attempts, next_attempt_ms, created_ms, last_error, "
    "full_resync";

}  // namespace

struct StateStore::Statements {
  Statement begin, commit, rollback;
  Statement load_operator, save_operator, count_operators;
  Statement mark_event, find_event, prune_events;
  Statement load_shadow, save_shadow, delete_shadow;
  Statement load_vendor_id, save_vendor_id;
  Statement upsert_outbox, load_outbox_entry, load_outbox, outbox_size, schedule_retry,
      delete_outbox, requeue_outbox;
  Statement enqueue_dlq, load_dlq, delete_dlq, dlq_backlog;
  Statement save_offset, load_offsets;
  Statement add_counter, load_counters;

  explicit Statements(sqlite::Connection& db)
      : begin(db.prepare("BEGIN IMMEDIATE")),
        commit(db.prepare("COMMIT")),
        rollback(db.prepare("ROLLBACK")),
        load_operator(db.prepare(
            "SELECT revision, event_time_ms, deleted, attributes FROM operators WHERE id = ?1")),
        save_operator(db.prepare(
            "INSERT INTO operators (id, revision, event_time_ms, deleted, attributes, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
            "revision = excluded.revision, event_time_ms = excluded.event_time_ms, "
            "deleted = excluded.deleted, attributes = excluded.attributes, "
            "updated_ms = excluded.updated_ms")),
        count_operators(db.prepare("SELECT count(*) FROM operators")),
        mark_event(
            db.prepare("INSERT OR IGNORE INTO processed_events (h, source, event_id, seen_ms) "
                       "VALUES (?1, ?2, ?3, ?4)")),
        find_event(db.prepare("SELECT source, event_id FROM processed_events WHERE h = ?1")),
        prune_events(db.prepare(
            "DELETE FROM processed_events WHERE h IN (SELECT h FROM processed_events WHERE h >= ?1 "
            "AND seen_ms < ?2 ORDER BY h LIMIT ?3) RETURNING h")),
        load_shadow(
            db.prepare("SELECT fields FROM shadows WHERE connector = ?1 AND operator_id = ?2")),
        save_shadow(db.prepare(
            "INSERT INTO shadows (connector, operator_id, fields, updated_ms) VALUES (?1, ?2, ?3, "
            "?4) "
            "ON CONFLICT (connector, operator_id) DO UPDATE SET fields = excluded.fields, "
            "updated_ms = excluded.updated_ms")),
        delete_shadow(db.prepare("DELETE FROM shadows WHERE connector = ?1 AND operator_id = ?2")),
        load_vendor_id(db.prepare(
            "SELECT vendor_id FROM id_mappings WHERE connector = ?1 AND operator_id = ?2")),
        save_vendor_id(db.prepare(
            "INSERT INTO id_mappings (connector, operator_id, vendor_id) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (connector, operator_id) DO UPDATE SET vendor_id = excluded.vendor_id")),
        upsert_outbox(db.prepare(
            "INSERT INTO outbox (connector, operator_id, generation, attempts, next_attempt_ms, "
            "created_ms, last_error, full_resync) VALUES (?1, ?2, 1, 0, ?3, ?3, '', ?4) "
            "ON CONFLICT (connector, operator_id) DO UPDATE SET generation = generation + 1, "
            "full_resync = max(full_resync, excluded.full_resync) RETURNING generation")),
        load_outbox_entry(db.prepare(std::string("SELECT ") + kOutboxColumns +
                                     " FROM outbox WHERE connector = ?1 AND operator_id = ?2")),
        load_outbox(db.prepare(std::string("SELECT ") + kOutboxColumns +
                               " FROM outbox WHERE connector = ?1")),
        outbox_size(db.prepare("SELECT count(*) FROM outbox WHERE connector = ?1")),
        schedule_retry(
            db.prepare("UPDATE outbox SET attempts = ?3, next_attempt_ms = ?4, last_error = ?5 "
                       "WHERE connector = ?1 AND operator_id = ?2")),
        delete_outbox(db.prepare(
            "DELETE FROM outbox WHERE connector = ?1 AND operator_id = ?2 AND generation = ?3")),
        requeue_outbox(db.prepare("UPDATE outbox SET attempts = 0, next_attempt_ms = ?3, "
                                  "last_error = '', full_resync = 0 "
                                  "WHERE connector = ?1 AND operator_id = ?2")),
        enqueue_dlq(db.prepare(
            "INSERT INTO dead_letters (key, value, headers, created_ms) VALUES (?1, ?2, ?3, ?4)")),
        load_dlq(
            db.prepare("SELECT seq, key, value, headers FROM dead_letters ORDER BY seq LIMIT ?1")),
        delete_dlq(db.prepare("DELETE FROM dead_letters WHERE seq = ?1")),
        dlq_backlog(db.prepare("SELECT count(*) FROM dead_letters")),
        save_offset(db.prepare(
            "INSERT INTO offsets (topic, partition, next_offset) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset")),
        load_offsets(db.prepare("SELECT partition, next_offset FROM offsets WHERE topic = ?1")),
        add_counter(db.prepare("INSERT INTO counters (name, value) VALUES (?1, ?2) "
                               "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value")),
        load_counters(db.prepare("SELECT name, value FROM counters")) {}
};

StateStore::StateStore(const std::string& directory, StoreOptions options) {
  std::filesystem::create_directories(directory);
  path_ = (std::filesystem::path(directory) / "opsync.db").string();
  db_ = std::make_unique<sqlite::Connection>(path_);
  db_->exec("PRAGMA journal_mode = WAL");
  full_sync_ = options.synchronous == "NORMAL" ? "NORMAL" : "FULL";
  db_->exec("PRAGMA synchronous = " + full_sync_);
  db_->exec("PRAGMA foreign_keys = ON");
  db_->exec("PRAGMA cache_size = -65536");  // 64 MiB page cache
  // Checkpoint every ~32 MiB of WAL instead of 4 MiB: pages rewritten by consecutive batches are
  // copied to the database once, which is most of the cost of a commit under load.
  db_->exec("PRAGMA wal_autocheckpoint = 8192");
  migrate();
  st_ = std::make_unique<Statements>(*db_);
}

StateStore::~StateStore() {
  if (in_tx_) {
    try {
      rollback();
    } catch (...) {
    }
  }
  st_.reset();
  if (db_) {
    try {
      db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (...) {
    }
  }
}

void StateStore::migrate() {
  int version = 0;
  {
    auto s = db_->prepare("PRAGMA user_version");
    if (s.step()) version = static_cast<int>(s.column_int(0));
  }
  if (version > kSchemaVersion) {
    throw sqlite::SqliteError(0, path_ + " has schema version " + std::to_string(version) +
                                     ", newer than this opsyncd supports (" +
                                     std::to_string(kSchemaVersion) + ")");
  }
  for (int v = version; v < kMigrationCount; ++v) {
    db_->exec("BEGIN IMMEDIATE");
    try {
      db_->exec(kMigrations[v]);
      db_->exec("PRAGMA user_version = " + std::to_string(v + 1));
      db_->exec("COMMIT");
    } catch (...) {
      db_->exec("ROLLBACK");
      throw;
    }
  }
}

void StateStore::begin(Durability durability) {
  if (durability != current_) {
    // In WAL mode a NORMAL commit is not fsynced; the next FULL commit syncs the WAL, and with it
    // everything committed before, so the levels may alternate freely.
    db_->exec(std::string("PRAGMA synchronous = ") +
              (durability == Durability::full ? full_sync_ : std::string("NORMAL")));
    current_ = durability;
  }
  st_->begin.run();
  in_tx_ = true;
}

void StateStore::commit() {
  st_->commit.run();
  in_tx_ = false;
}

void StateStore::rollback() {
  in_tx_ = false;
  st_->rollback.run();
}

std::optional<CanonicalOperator> StateStore::load_operator(const std::string& id) {
  auto& s = st_->load_operator;
  s.bind(1, id);
  std::optional<CanonicalOperator> out;
  if (s.step()) {
    CanonicalOperator op;
    op.id = id;
    op.revision = s.column_int(0);
    op.event_time_ms = s.column_int(1);
    op.deleted = s.column_int(2) != 0;
    op.attributes = parse_object(s.column_view(3));
    out = std::move(op);
  }
  s.reset();
  return out;
}

void StateStore::save_operator(const CanonicalOperator& op, std::int64_t now_ms) {
  st_->save_operator.bind(1, op.id)
      .bind(2, op.revision)
      .bind(3, op.event_time_ms)
      .bind(4, std::int64_t{op.deleted ? 1 : 0})
      .bind(5, json::serialize(op.attributes))
      .bind(6, now_ms)
      .run();
}

std::int64_t StateStore::count_operators() {
  auto& s = st_->count_operators;
  std::int64_t n = s.step() ? s.column_int(0) : 0;
  s.reset();
  return n;
}

void StateStore::for_each_operator(const std::function<void(const CanonicalOperator&)>& fn) {
  auto s = db_->prepare(
      "SELECT id, revision, event_time_ms, deleted, attributes FROM operators ORDER BY id");
  while (s.step()) {
    CanonicalOperator op;
    op.id = s.column_text(0);
    op.revision = s.column_int(1);
    op.event_time_ms = s.column_int(2);
    op.deleted = s.column_int(3) != 0;
    op.attributes = parse_object(s.column_view(4));
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

bool StateStore::mark_event_processed(const std::string& source, const std::string& event_id,
                                      std::int64_t now_ms) {
  std::int64_t h = event_hash(source, event_id);
  for (int probe = 0; probe < 64; ++probe, ++h) {
    st_->mark_event.bind(1, h).bind(2, source).bind(3, event_id).bind(4, now_ms).run();
    if (db_->changes() == 1) return true;
    auto& f = st_->find_event;
    f.bind(1, h);
    const bool same = f.step() && f.column_view(0) == source && f.column_view(1) == event_id;
    f.reset();
    if (same) return false;
  }
  throw sqlite::SqliteError(0, "processed_events: too many hash collisions");
}

std::int64_t StateStore::prune_processed_events(std::int64_t cutoff_ms) {
  // In slices of the key space, so a large table is pruned without one long statement.
  std::int64_t total = 0;
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    std::int64_t last = from;
    auto& s = st_->prune_events;
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

std::optional<json::object> StateStore::load_shadow(const std::string& connector,
                                                    const std::string& operator_id) {
  auto& s = st_->load_shadow;
  s.bind(1, connector).bind(2, operator_id);
  std::optional<json::object> out;
  if (s.step()) out = parse_object(s.column_view(0));
  s.reset();
  return out;
}

void StateStore::save_shadow(const std::string& connector, const std::string& operator_id,
                             const json::object& fields, std::int64_t now_ms) {
  st_->save_shadow.bind(1, connector)
      .bind(2, operator_id)
      .bind(3, json::serialize(fields))
      .bind(4, now_ms)
      .run();
}

void StateStore::delete_shadow(const std::string& connector, const std::string& operator_id) {
  st_->delete_shadow.bind(1, connector).bind(2, operator_id).run();
}

std::optional<std::string> StateStore::load_vendor_id(const std::string& connector,
                                                      const std::string& operator_id) {
  auto& s = st_->load_vendor_id;
  s.bind(1, connector).bind(2, operator_id);
  std::optional<std::string> out;
  if (s.step()) out = s.column_text(0);
  s.reset();
  return out;
}

void StateStore::save_vendor_id(const std::string& connector, const std::string& operator_id,
                                const std::string& vendor_id) {
  st_->save_vendor_id.bind(1, connector).bind(2, operator_id).bind(3, vendor_id).run();
}

std::int64_t StateStore::upsert_outbox(const std::string& connector, const std::string& operator_id,
                                       std::int64_t now_ms, bool full_resync) {
  auto& s = st_->upsert_outbox;
  s.bind(1, connector).bind(2, operator_id).bind(3, now_ms).bind(4, std::int64_t{full_resync});
  std::int64_t generation = s.step() ? s.column_int(0) : 0;
  s.reset();
  return generation;
}

std::optional<OutboxEntry> StateStore::load_outbox_entry(const std::string& connector,
                                                         const std::string& operator_id) {
  auto& s = st_->load_outbox_entry;
  s.bind(1, connector).bind(2, operator_id);
  std::optional<OutboxEntry> out;
  if (s.step()) out = read_outbox_row(s);
  s.reset();
  return out;
}

std::vector<OutboxEntry> StateStore::load_outbox(const std::string& connector) {
  auto& s = st_->load_outbox;
  s.bind(1, connector);
  std::vector<OutboxEntry> out;
  while (s.step()) out.push_back(read_outbox_row(s));
  s.reset();
  return out;
}

std::int64_t StateStore::outbox_size(const std::string& connector) {
  auto& s = st_->outbox_size;
  s.bind(1, connector);
  std::int64_t n = s.step() ? s.column_int(0) : 0;
  s.reset();
  return n;
}

void StateStore::schedule_retry(const std::string& connector, const std::string& operator_id,
                                std::int64_t attempts, std::int64_t next_attempt_ms,
                                const std::string& last_error) {
  st_->schedule_retry.bind(1, connector)
      .bind(2, operator_id)
      .bind(3, attempts)
      .bind(4, next_attempt_ms)
      .bind(5, last_error)
      .run();
}

bool StateStore::complete_outbox(const std::string& connector, const std::string& operator_id,
                                 std::int64_t generation, std::int64_t now_ms) {
  st_->delete_outbox.bind(1, connector).bind(2, operator_id).bind(3, generation).run();
  if (db_->changes() == 1) return true;
  st_->requeue_outbox.bind(1, connector).bind(2, operator_id).bind(3, now_ms).run();
  return false;
}

void StateStore::enqueue_dead_letter(const DeadLetter& letter, std::int64_t now_ms) {
  st_->enqueue_dlq.bind_blob(1, letter.key)
      .bind_blob(2, letter.value)
      .bind(3, headers_to_json(letter.headers))
      .bind(4, now_ms)
      .run();
}

std::vector<DeadLetter> StateStore::load_dead_letters(std::size_t limit) {
  auto& s = st_->load_dlq;
  s.bind(1, static_cast<std::int64_t>(limit));
  std::vector<DeadLetter> out;
  while (s.step()) {
    DeadLetter d;
    d.seq = s.column_int(0);
    d.key = s.column_text(1);
    d.value = s.column_text(2);
    d.headers = headers_from_json(s.column_view(3));
    out.push_back(std::move(d));
  }
  s.reset();
  return out;
}

void StateStore::delete_dead_letter(std::int64_t seq) {
  st_->delete_dlq.bind(1, seq).run();
}

std::int64_t StateStore::dead_letter_backlog() {
  auto& s = st_->dlq_backlog;
  std::int64_t n = s.step() ? s.column_int(0) : 0;
  s.reset();
  return n;
}

void StateStore::save_offset(const std::string& topic, std::int32_t partition,
                             std::int64_t next_offset) {
  st_->save_offset.bind(1, topic).bind(2, std::int64_t{partition}).bind(3, next_offset).run();
}

std::map<std::int32_t, std::int64_t> StateStore::load_offsets(const std::string& topic) {
  auto& s = st_->load_offsets;
  s.bind(1, topic);
  std::map<std::int32_t, std::int64_t> out;
  while (s.step()) out[static_cast<std::int32_t>(s.column_int(0))] = s.column_int(1);
  s.reset();
  return out;
}

void StateStore::add_counter(const std::string& name, std::int64_t delta) {
  st_->add_counter.bind(1, name).bind(2, delta).run();
}

std::map<std::string, std::int64_t> StateStore::load_counters() {
  auto& s = st_->load_counters;
  std::map<std::string, std::int64_t> out;
  while (s.step()) out[s.column_text(0)] = s.column_int(1);
  s.reset();
  return out;
}

}  // namespace opsync
