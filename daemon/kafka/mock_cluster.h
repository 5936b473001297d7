#pragma once
// librdkafka's mock cluster: a Kafka-protocol broker inside this process, serving real TCP on
// 127.0.0.1. For tests, benchmarks and the demo.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/operator_event.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace opsync {

class MockKafkaCluster {
 public:
  explicit MockKafkaCluster(int brokers = 1);
  ~MockKafkaCluster();
  MockKafkaCluster(const MockKafkaCluster&) = delete;
  MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  void create_topic(const std::string& topic, int partitions);
  rd_kafka_mock_cluster_t* handle() { return cluster_; }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

/// A plain blocking producer for tests, benchmarks and the demo's event stream.
class SimpleProducer {
 public:
  explicit SimpleProducer(const std::string& brokers);
  ~SimpleProducer();
  SimpleProducer(const SimpleProducer&) = delete;
  SimpleProducer& operator=(const SimpleProducer&) = delete;

  /// Queues one message (partition by key). Throws on a local error (queue full is waited out).
  void produce(const std::string& topic, const std::string& key, const std::string& value,
               const std::vector<MessageHeader>& headers = {}, std::int32_t partition = -1);
  /// Waits until every queued message is acknowledged; throws if any failed or time ran out.
  void flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  rd_kafka_t* rk_ = nullptr;
  std::int64_t failed_ = 0;
};

/// Creates a topic on a real cluster through the admin API (replication factor 1). An existing
/// topic is not an error. Throws on anything else.
void create_topic(const std::string& brokers, const std::string& topic, int partitions,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Reads every message of `topic` from the beginning (all partitions) until it has seen
/// `expected` messages or `timeout` passes. For tests that check the dead-letter topic.
struct ReadMessage {
  std::string key;
  std::string value;
  std::vector<MessageHeader> headers;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};
std::vector<ReadMessage> read_topic(const std::string& brokers, const std::string& topic,
                                    std::size_t expected, std::chrono::milliseconds timeout);

}  // namespace opsync
