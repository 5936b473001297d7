#pragma once
// Publishes dead letters from the state store to the dead-letter topic. A row leaves the store
// only after the broker acknowledged it (acks=all, idempotent producer), so a crash or a broker
// outage delays dead letters but never loses them.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "kafka/kafka_options.h"

namespace opsync {

class StateStore;

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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsync
