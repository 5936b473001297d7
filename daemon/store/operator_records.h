#pragma once
// The canonical side of the store: one record per operator (the reconciled truth from the HR
// events) and the ids of the events already processed, so a redelivered event is a duplicate.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/canonical_operator.h"
#include "store/sqlite.h"

namespace opsync {

class OperatorRecords {
 public:
  explicit OperatorRecords(sqlite::Connection& db);
  OperatorRecords(const OperatorRecords&) = delete;
  OperatorRecords& operator=(const OperatorRecords&) = delete;

  std::optional<CanonicalOperator> load(const std::string& id);
  void save(const CanonicalOperator& op, std::int64_t now_ms);
  std::int64_t count();
  /// Every record, in id order.
  /// Operator ids in order, from the first after `after` ("" for the start), at most `limit`.
  std::vector<std::string> ids_after(const std::string& after, std::size_t limit);
  void for_each(const std::function<void(const CanonicalOperator&)>& fn);

  /// Records (source, id) as processed. Returns false if it was already recorded (a duplicate).
  bool mark_event_processed(const std::string& source, const std::string& event_id,
                            std::int64_t now_ms);
  /// Deletes processed-event ids recorded before `cutoff_ms`. Returns how many.
  std::int64_t prune_processed_events(std::int64_t cutoff_ms);

 private:
  sqlite::Connection& db_;
  sqlite::Statement load_, save_, count_, ids_after_;
  sqlite::Statement mark_event_, find_event_, prune_events_;
};

}  // namespace opsync
