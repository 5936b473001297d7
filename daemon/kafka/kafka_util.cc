#include "kafka/kafka_util.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace opsync {

void KafkaConf::set(const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf_, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    throw std::invalid_argument("kafka property " + name + ": " + errstr);
  }
}

void install_log_callback(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t*, int level, const char* fac, const char* buf) {
        // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug
        auto lvl = level <= 3   ? spdlog::level::err
                   : level == 4 ? spdlog::level::warn
                   : level <= 6 ? spdlog::level::info
                                : spdlog::level::debug;
        spdlog::log(lvl, "event=librdkafka facility={} message=\"{}\"", fac, buf);
      });
}

ConsumedMessage copy_message(const rd_kafka_message_t* m) {
  ConsumedMessage out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  if (m->key) {
    out.has_key = true;
    out.key.assign(static_cast<const char*>(m->key), m->key_len);
  }
  if (m->payload) out.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
    const char* name = nullptr;
    const void* val = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      out.headers.push_back(
          {name, val ? std::string(static_cast<const char*>(val), size) : std::string()});
    }
  }
  return out;
}

}  // namespace opsync
