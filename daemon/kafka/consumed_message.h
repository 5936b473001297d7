#pragma once
// A message consumed from Kafka, copied out of librdkafka (kafka_util.h, copy_message) so a batch
// can be applied after polling. Plain data: including this header needs no librdkafka header,
// so the ingest path compiles and is tested without Kafka.

#include <cstdint>
#include <string>
#include <vector>

#include "events/operator_event.h"

namespace opsync {

struct ConsumedMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<MessageHeader> headers;
  bool has_key = false;  ///< false for a null key (not the same as an empty one)
};

}  // namespace opsync
