#pragma once
// Applies a batch of Kafka messages to the state store in one transaction: decode, reconcile or
// dead-letter, and record the next offset of each partition with the effects it covers.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "events/operator_event.h"
#include "kafka/consumed_message.h"

namespace opsync {

class EventDecoder;
class Reconciler;
class StateStore;

struct IngestCounts {
  std::int64_t consumed = 0;
  std::int64_t applied = 0;
  std::int64_t unchanged = 0;
  std::int64_t stale = 0;
  std::int64_t duplicate = 0;
  std::int64_t invalid = 0;
  std::int64_t pushes_queued = 0;
  std::map<std::string, std::int64_t> invalid_by_reason;

  IngestCounts& operator+=(const IngestCounts& o);
};

struct IngestResult {
  IngestCounts counts;
  /// Per (topic, partition): the next offset to consume; safe to store once the batch committed.
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets;
  /// (connector, operator) pairs whose outbox entry was added or bumped: the lanes to wake.
  std::vector<std::pair<std::string, std::string>> queued_pushes;
};

/// Header names added to a dead-lettered event.
namespace dlq_header {
inline constexpr const char* kReason = "opsync-dlq-reason";
inline constexpr const char* kDetail = "opsync-dlq-detail";
inline constexpr const char* kSourceTopic = "opsync-source-topic";
inline constexpr const char* kSourcePartition = "opsync-source-partition";
inline constexpr const char* kSourceOffset = "opsync-source-offset";
}  // namespace dlq_header

class IngestBatch {
 public:
  IngestBatch(StateStore& store, const EventDecoder& decoder, Reconciler& reconciler)
      : store_(store), decoder_(decoder), reconciler_(reconciler) {}

  /// Applies every message and commits. On a store failure it rolls back and rethrows: nothing
  /// of the batch is durable, so no offset may be stored and the messages will be consumed again.
  IngestResult apply(std::span<const ConsumedMessage> messages, std::int64_t now_ms);

 private:
  StateStore& store_;
  const EventDecoder& decoder_;
  Reconciler& reconciler_;
};

}  // namespace opsync
