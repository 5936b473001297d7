#pragma once
// Dead letters waiting to be published to the dead-letter topic: invalid events (from ingest)
// and pushes that cannot succeed (from the dispatcher). Deleted once the broker acknowledged them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "events/operator_event.h"
#include "store/sqlite.h"

namespace opsync {

/// A record waiting to be published to the dead-letter topic.
struct DeadLetter {
  std::int64_t seq = 0;  ///< assigned by the store
  std::string key;
  std::string value;
  std::vector<MessageHeader> headers;
};

class DeadLetters {
 public:
  explicit DeadLetters(sqlite::Connection& db);
  DeadLetters(const DeadLetters&) = delete;
  DeadLetters& operator=(const DeadLetters&) = delete;

  void enqueue(const DeadLetter& letter, std::int64_t now_ms);
  /// The oldest `limit` letters, in the order they were enqueued.
  std::vector<DeadLetter> load(std::size_t limit);
  void remove(std::int64_t seq);
  std::int64_t backlog();

 private:
  sqlite::Statement enqueue_, load_, remove_, backlog_;
};

}  // namespace opsync
