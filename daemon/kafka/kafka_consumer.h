#pragma once
// The Kafka consumer, driven by the Asio event loop: librdkafka signals a pipe when its consumer
// queue becomes non-empty (rd_kafka_queue_io_event_enable), and the loop drains the queue then.
// No thread of ours polls, and nothing busy-waits; a timer on the loop also polls at least once
// a second (and four times per max.poll.interval.ms), so an idle or paused consumer stays in its
// group instead of being dropped for exceeding max.poll.interval.ms.
//
// At-least-once: enable.auto.offset.store=false; the offsets of a batch are stored with librdkafka
// only after the batch handler returns true, i.e. after the batch's effects are durable. On
// assignment, each partition starts from the offset recorded in the state store when there is one.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kafka/consumed_message.h"
#include "kafka/kafka_options.h"

namespace opsync {

class KafkaConsumer {
 public:
  /// Applies a batch; returns normally once its effects are durable. Throwing means they are not.
  using BatchHandler = std::function<void(std::vector<ConsumedMessage>& batch)>;
  /// Next offsets recorded durably for `topic`, by partition.
  using StoredOffsets =
      std::function<std::map<std::int32_t, std::int64_t>(const std::string& topic)>;

  KafkaConsumer(boost::asio::io_context& io, KafkaOptions options, BatchHandler on_batch,
                StoredOffsets stored_offsets);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  /// Subscribes and starts consuming on the loop. Throws if librdkafka refuses the configuration.
  void start();
  /// Stops applying new batches (the current one, if any, completes first) and pauses fetching.
  /// The consumer keeps polling librdkafka meanwhile, so the group membership stays alive.
  void pause();
  void resume();
  /// Commits stored offsets and leaves the group. Blocks briefly; call once, at shutdown.
  void close();

  bool subscribed() const;
  std::size_t assigned_partitions() const;
  /// Consumer lag by partition (high watermark minus position), from librdkafka's cached values.
  std::map<std::int32_t, std::int64_t> lag() const;
  std::uint64_t batches() const;
  /// Rebalance callbacks served (assignments and revocations) since start.
  std::uint64_t rebalances() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsync
