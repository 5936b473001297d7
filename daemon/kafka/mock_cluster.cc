#include "kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>
#include <thread>

#include "kafka/kafka_util.h"

namespace opsync {

MockKafkaCluster::MockKafkaCluster(int brokers) {
  KafkaConf conf;
  conf.set("log_level", "3");
  char errstr[512];
  owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), errstr, sizeof errstr);
  if (!owner_) throw std::runtime_error(std::string("mock cluster: ") + errstr);
  cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
  if (!cluster_) throw std::runtime_error("mock cluster: cannot create");
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockKafkaCluster::~MockKafkaCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (owner_) rd_kafka_destroy(owner_);
}

void MockKafkaCluster::create_topic(const std::string& topic, int partitions) {
  if (auto err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1)) {
    throw std::runtime_error("mock cluster: create topic " + topic + ": " + rd_kafka_err2str(err));
  }
}

SimpleProducer::SimpleProducer(const std::string& brokers) {
  KafkaConf conf;
  conf.set("bootstrap.servers", brokers);
  conf.set("linger.ms", "5");
  conf.set("enable.idempotence", "true");
  conf.set("log_level", "3");
  conf.set("queue.buffering.max.messages", "1000000");
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(),
                              [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
                                if (m->err) ++static_cast<SimpleProducer*>(opaque)->failed_;
                              });
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), errstr, sizeof errstr);
  if (!rk_) throw std::runtime_error(std::string("producer: ") + errstr);
}

SimpleProducer::~SimpleProducer() {
  if (rk_) {
    rd_kafka_flush(rk_, 5000);
    rd_kafka_destroy(rk_);
  }
}

void SimpleProducer::produce(const std::string& topic, const std::string& key,
                             const std::string& value, const std::vector<MessageHeader>& headers,
                             std::int32_t partition) {
  for (;;) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& h : headers) {
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
    auto err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
    }
    rd_kafka_poll(rk_, 50);
  }
  rd_kafka_poll(rk_, 0);
}

void SimpleProducer::flush(std::chrono::milliseconds timeout) {
  if (rd_kafka_flush(rk_, static_cast<int>(timeout.count())) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("producer: flush timed out");
  }
  if (failed_ > 0)
    throw std::runtime_error("producer: " + std::to_string(failed_) + " messages failed");
}

void create_topic(const std::string& brokers, const std::string& topic, int partitions,
                  std::chrono::milliseconds timeout) {
  KafkaConf conf;
  conf.set("bootstrap.servers", brokers);
  conf.set("log_level", "3");
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), errstr, sizeof errstr);
  if (!rk) throw std::runtime_error(std::string("admin: ") + errstr);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, errstr, sizeof errstr);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, static_cast<int>(timeout.count()), errstr,
                                              sizeof errstr);
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, static_cast<int>(timeout.count()) + 5000);
  std::string error;
  if (!ev) {
    error = "timed out";
  } else if (rd_kafka_event_error(ev)) {
    error = rd_kafka_event_error_string(ev);
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto err = rd_kafka_topic_result_error(res[i]);
      if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        error = rd_kafka_topic_result_error_string(res[i])
                    ? rd_kafka_topic_result_error_string(res[i])
                    : rd_kafka_err2str(err);
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  if (!error.empty()) throw std::runtime_error("create topic " + topic + ": " + error);
}

std::vector<ReadMessage> read_topic(const std::string& brokers, const std::string& topic,
                                    std::size_t expected, std::chrono::milliseconds timeout) {
  KafkaConf conf;
  conf.set("bootstrap.servers", brokers);
  conf.set("group.id",
           "opsync-reader-" + std::to_string(reinterpret_cast<std::uintptr_t>(&conf)) +
               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  conf.set("auto.offset.reset", "earliest");
  conf.set("enable.auto.commit", "false");
  conf.set("log_level", "3");
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.release(), errstr, sizeof errstr);
  if (!rk) throw std::runtime_error(std::string("reader: ") + errstr);
  rd_kafka_poll_set_consumer(rk);
  auto* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  std::vector<ReadMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      ConsumedMessage c = copy_message(m);
      out.push_back({c.key, c.value, c.headers, c.partition, c.offset});
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

}  // namespace opsync
