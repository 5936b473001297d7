#include "store/progress.h"

namespace opsync {

Progress::Progress(sqlite::Connection& db)
    : save_offset_(db.prepare(
          "INSERT INTO offsets (topic, partition, next_offset) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset")),
      load_offsets_(db.prepare("SELECT partition, next_offset FROM offsets WHERE topic = ?1")),
      add_counter_(db.prepare("INSERT INTO counters (name, value) VALUES (?1, ?2) "
                              "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value")),
      load_counters_(db.prepare("SELECT name, value FROM counters")),
      remove_counter_(db.prepare("DELETE FROM counters WHERE name = ?1")) {}

void Progress::save_offset(const std::string& topic, std::int32_t partition,
                           std::int64_t next_offset) {
  save_offset_.bind(1, topic).bind(2, std::int64_t{partition}).bind(3, next_offset).run();
}

std::map<std::int32_t, std::int64_t> Progress::load_offsets(const std::string& topic) {
  auto& s = load_offsets_;
  s.bind(1, topic);
  std::map<std::int32_t, std::int64_t> out;
  while (s.step()) out[static_cast<std::int32_t>(s.column_int(0))] = s.column_int(1);
  s.reset();
  return out;
}

void Progress::add_counter(const std::string& name, std::int64_t delta) {
  add_counter_.bind(1, name).bind(2, delta).run();
}

std::map<std::string, std::int64_t> Progress::load_counters() {
  auto& s = load_counters_;
  std::map<std::string, std::int64_t> out;
  while (s.step()) out[s.column_text(0)] = s.column_int(1);
  s.reset();
  return out;
}

void Progress::remove_counter(const std::string& name) {
  remove_counter_.bind(1, name).run();
}

}  // namespace opsync
