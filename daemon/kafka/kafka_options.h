#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace opsync {

/// What the Kafka clients need from the configuration.
struct KafkaOptions {
  std::string brokers;  ///< comma-separated bootstrap servers
  std::string topic;
  std::string group_id;
  std::string dead_letter_topic;
  /// Passed through to librdkafka after opsync's own settings, so they may override them.
  std::map<std::string, std::string> properties;
  std::size_t max_batch = 5000;
};

}  // namespace opsync
