#pragma once
// Publishes dead letters from the state store to the dead-letter topic. A row leaves the store
// only after the broker acknowledged it (acks=all, idempotent producer), so a crash or a broker
// outage delays dead letters but never loses them (retried in order).
//
// A dead letter is always publishable: a value that would take the record over the producer's
// message.max.bytes is cut to the prefix that fits, with opsync-dlq-truncated (the original size)
// and opsync-dlq-original-sha256 added. A row the producer or broker still refuses for good (a
// delivery error about the record itself, such as a key over the limit) is kept in the store
// marked unpublishable, logged once, counted, and skipped, so that it holds up nothing after it.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "kafka/kafka_options.h"

namespace opsync {

class StateStore;
struct DeadLetter;

/// Headers the publisher adds to a dead letter whose value it had to cut.
namespace dlq_publisher_header {
inline constexpr const char* kTruncated = "opsync-dlq-truncated";  ///< the original value size
inline constexpr const char* kOriginalSha256 = "opsync-dlq-original-sha256";  ///< lowercase hex
}  // namespace dlq_publisher_header

/// Cuts `letter`'s value so that key, value and headers fit under `max_bytes` (less a margin for
/// the record's framing), adding the headers above; a letter that fits is left alone.
void fit_dead_letter(DeadLetter& letter, std::size_t max_bytes);

class DeadLetterPublisher {
 public:
  DeadLetterPublisher(boost::asio::io_context& io, KafkaOptions options, StateStore& store);
  ~DeadLetterPublisher();
  DeadLetterPublisher(const DeadLetterPublisher&) = delete;
  DeadLetterPublisher& operator=(const DeadLetterPublisher&) = delete;

  void start();
  /// New dead letters may be in the store: publish them.
  void wake();
  /// Waits (blocking) up to `timeout` for what is in flight; for shutdown.
  void flush(std::chrono::milliseconds timeout);

  std::int64_t published() const;
  std::int64_t failures() const;
  /// Rows refused for good since start (kept in the store, marked, skipped).
  std::int64_t unpublishable() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsync
