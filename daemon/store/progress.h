#pragma once
// How far ingest got: the next offset to read per partition (stored in the transaction of the
// messages before it) and durable counters (events applied, stale, duplicate, invalid..., and
// one-off markers such as a connector's bootstrap).

#include <cstdint>
#include <map>
#include <string>

#include "store/sqlite.h"

namespace opsync {

class Progress {
 public:
  explicit Progress(sqlite::Connection& db);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void save_offset(const std::string& topic, std::int32_t partition, std::int64_t next_offset);
  std::map<std::int32_t, std::int64_t> load_offsets(const std::string& topic);

  void add_counter(const std::string& name, std::int64_t delta);
  std::map<std::string, std::int64_t> load_counters();
  /// Deletes counter `name` (a one-off marker that no longer holds).
  void remove_counter(const std::string& name);

 private:
  sqlite::Statement save_offset_, load_offsets_, add_counter_, load_counters_, remove_counter_;
};

}  // namespace opsync
