#include "kafka/dead_letter_publisher.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <stdexcept>
#include <vector>

#include "kafka/kafka_util.h"
#include "store/state_store.h"

namespace opsync {

struct DeadLetterPublisher::Impl {
  boost::asio::io_context& io;
  KafkaOptions options;
  StateStore& store;
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  boost::asio::posix::stream_descriptor wake_fd;
  int wake_write_fd = -1;
  boost::asio::steady_timer retry_timer;
  std::size_t in_flight = 0;
  std::vector<std::int64_t> delivered;
  bool had_failure = false;
  std::int64_t published_total = 0;
  std::int64_t failure_total = 0;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(boost::asio::io_context& io_, KafkaOptions o, StateStore& s)
      : io(io_), options(std::move(o)), store(s), wake_fd(io_), retry_timer(io_) {}

  ~Impl() {
    *alive = false;
    if (queue) rd_kafka_queue_destroy(queue);
    if (rk) rd_kafka_destroy(rk);
    if (wake_write_fd >= 0) ::close(wake_write_fd);
  }

  static void dr_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    auto seq = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(m->_private));
    --self->in_flight;
    if (m->err) {
      ++self->failure_total;
      self->had_failure = true;
      spdlog::warn("event=dead_letter_publish_failed seq={} error=\"{}\"", seq,
                   rd_kafka_err2str(m->err));
    } else {
      self->delivered.push_back(seq);
    }
  }

  void wait_for_wake() {
    wake_fd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this, alive = alive](boost::system::error_code ec) {
                         if (!*alive || ec) return;
                         char buf[256];
                         while (::read(wake_fd.native_handle(), buf, sizeof buf) > 0) {
                         }
                         serve();
                         wait_for_wake();
                       });
  }

  void serve() {
    rd_kafka_poll(rk, 0);
    settle();
  }

  // Removes acknowledged rows; sends the next rows once nothing is in flight.
  void settle() {
    if (!delivered.empty()) {
      Transaction tx(store, Durability::relaxed);
      for (auto seq : delivered) store.dead_letters().remove(seq);
      tx.commit();
      published_total += static_cast<std::int64_t>(delivered.size());
      delivered.clear();
    }
    if (in_flight == 0) {
      if (had_failure) {
        had_failure = false;
        retry_timer.expires_after(std::chrono::seconds(1));
        retry_timer.async_wait([this, alive = alive](boost::system::error_code ec) {
          if (*alive && !ec) send_next();
        });
      } else {
        send_next();
      }
    }
  }

  void send_next() {
    if (in_flight > 0 || !rk) return;
    auto letters = store.dead_letters().load(500);
    for (auto& d : letters) {
      rd_kafka_headers_t* hdrs = rd_kafka_headers_new(d.headers.size());
      for (const auto& h : d.headers) {
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                            h.value.data(), static_cast<ssize_t>(h.value.size()));
      }
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(options.dead_letter_topic.c_str()),
          RD_KAFKA_V_KEY(d.key.data(), d.key.size()),
          RD_KAFKA_V_VALUE(d.value.data(), d.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(d.seq))),
          RD_KAFKA_V_END);
      if (err) {
        rd_kafka_headers_destroy(hdrs);
        ++failure_total;
        had_failure = true;
        spdlog::warn("event=dead_letter_produce_failed seq={} error=\"{}\"", d.seq,
                     rd_kafka_err2str(err));
        break;
      }
      ++in_flight;
    }
    if (in_flight == 0 && had_failure) settle();
  }
};

DeadLetterPublisher::DeadLetterPublisher(boost::asio::io_context& io, KafkaOptions options,
                                         StateStore& store)
    : impl_(std::make_unique<Impl>(io, std::move(options), store)) {}

DeadLetterPublisher::~DeadLetterPublisher() = default;

void DeadLetterPublisher::start() {
  auto& d = *impl_;
  KafkaConf conf;
  conf.set("bootstrap.servers", d.options.brokers);
  conf.set("enable.idempotence", "true");
  conf.set("acks", "all");
  conf.set("linger.ms", "5");
  conf.set("client.id", "opsyncd-dlq");
  for (const auto& [k, v] : d.options.properties) {
    // Consumer-only properties would make the producer refuse to start.
    if (k.rfind("group.", 0) == 0 || k.rfind("enable.auto", 0) == 0 || k.rfind("auto.", 0) == 0 ||
        k.rfind("partition.assignment", 0) == 0 || k.rfind("session.", 0) == 0 ||
        k.rfind("max.poll", 0) == 0 || k.rfind("fetch.", 0) == 0 || k.rfind("heartbeat.", 0) == 0) {
      continue;
    }
    conf.set(k, v);
  }
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::dr_cb);
  rd_kafka_conf_set_opaque(conf.get(), &d);
  install_log_callback(conf.get());
  char errstr[512];
  d.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), errstr, sizeof errstr);
  if (!d.rk) throw std::runtime_error(std::string("kafka producer: ") + errstr);
  d.queue = rd_kafka_queue_get_main(d.rk);
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::runtime_error("kafka producer: pipe2 failed");
  d.wake_fd.assign(fds[0]);
  d.wake_write_fd = fds[1];
  rd_kafka_queue_io_event_enable(d.queue, d.wake_write_fd, "1", 1);
  d.wait_for_wake();
  d.send_next();
}

void DeadLetterPublisher::wake() {
  if (impl_->rk && impl_->in_flight == 0) impl_->send_next();
}

void DeadLetterPublisher::flush(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (!d.rk) return;
  rd_kafka_flush(d.rk, static_cast<int>(timeout.count()));
  rd_kafka_poll(d.rk, 0);
  d.had_failure = false;
  d.in_flight = d.in_flight > 0 ? d.in_flight : 0;
  if (!d.delivered.empty()) {
    Transaction tx(d.store, Durability::relaxed);
    for (auto seq : d.delivered) d.store.dead_letters().remove(seq);
    tx.commit();
    d.published_total += static_cast<std::int64_t>(d.delivered.size());
    d.delivered.clear();
  }
}

std::int64_t DeadLetterPublisher::published() const {
  return impl_->published_total;
}
std::int64_t DeadLetterPublisher::failures() const {
  return impl_->failure_total;
}

}  // namespace opsync
