#pragma once
// Small helpers shared by opsync's librdkafka clients.

#include <librdkafka/rdkafka.h>

#include <string>

#include "kafka/consumed_message.h"

namespace opsync {

/// Owns an rd_kafka_conf_t until it is handed to rd_kafka_new.
class KafkaConf {
 public:
  KafkaConf() : conf_(rd_kafka_conf_new()) {}
  ~KafkaConf() {
    if (conf_) rd_kafka_conf_destroy(conf_);
  }
  KafkaConf(const KafkaConf&) = delete;
  KafkaConf& operator=(const KafkaConf&) = delete;

  /// Throws std::invalid_argument naming the property (never its value: it may be a secret).
  void set(const std::string& name, const std::string& value);
  rd_kafka_conf_t* get() { return conf_; }
  rd_kafka_conf_t* release() {
    auto* c = conf_;
    conf_ = nullptr;
    return c;
  }

 private:
  rd_kafka_conf_t* conf_;
};

/// Routes librdkafka's log lines to spdlog.
void install_log_callback(rd_kafka_conf_t* conf);

/// Copies key, value and headers out of a consumed message.
ConsumedMessage copy_message(const rd_kafka_message_t* m);

}  // namespace opsync
