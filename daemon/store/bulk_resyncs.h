#pragma once
// Bulk resyncs (POST /connectors/{name}/resync): a full push of every operator to one connector,
// queued into the outbox a batch at a time (see dispatch/bulk_resync.h). One row per connector:
// the last bulk resync asked for, with how far it got, so a restart carries on where it was.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace opsync {

struct BulkResyncState {
  std::string connector;
  std::int64_t requested_ms = 0;
  std::int64_t total = 0;                   ///< operators in the store when it was asked for
  std::int64_t queued = 0;                  ///< operators queued into the outbox so far
  std::string cursor;                       ///< the last operator id queued ("" before the first)
  std::optional<std::int64_t> finished_ms;  ///< every operator queued

  bool running() const { return !finished_ms.has_value(); }
};

class BulkResyncs {
 public:
  explicit BulkResyncs(sqlite::Connection& db);
  BulkResyncs(const BulkResyncs&) = delete;
  BulkResyncs& operator=(const BulkResyncs&) = delete;

  std::optional<BulkResyncState> load(const std::string& connector);
  /// Every bulk resync still queueing, by connector.
  std::vector<BulkResyncState> load_running();
  void save(const BulkResyncState& state);
  void remove(const std::string& connector);

 private:
  sqlite::Statement load_, load_running_, save_, remove_;
};

}  // namespace opsync
