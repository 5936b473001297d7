#pragma once
// Dead letters waiting to be published to the dead-letter topic: invalid events (from ingest)
// and pushes that cannot succeed (from the dispatcher). Deleted once the broker acknowledged them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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
  /// The oldest `limit` publishable letters, in the order they were enqueued.
  std::vector<DeadLetter> load(std::size_t limit);
  void remove(std::int64_t seq);
  /// Keeps the letter but marks it refused for good with `error`: load() skips it from now on.
  void mark_unpublishable(std::int64_t seq, std::string_view error);
  /// Letters waiting to be published (not counting unpublishable ones).
  std::int64_t backlog();
  /// Letters marked unpublishable (they stay in the store; never decreases).
  std::int64_t unpublishable();

 private:
  sqlite::Statement enqueue_, load_, remove_, mark_, backlog_, unpublishable_;
};

}  // namespace opsync
