#include "kafka/dead_letter_publisher.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kafka/kafka_util.h"
#include "store/state_store.h"

namespace opsync {
namespace {

// librdkafka's default message.max.bytes.
constexpr std::size_t kDefaultMaxMessageBytes = 1000000;
// Room left under the limit for the record's framing (librdkafka counts it against the limit).
constexpr std::size_t kSizeMargin = 4096;
// Per-header framing (varint lengths), over-estimated.
constexpr std::size_t kHeaderOverhead = 16;

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr) != 1) return {};
  std::string hex;
  hex.reserve(2 * n);
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

std::size_t record_size(const DeadLetter& d) {
  std::size_t n = d.key.size() + d.value.size();
  for (const auto& h : d.headers) n += h.name.size() + h.value.size() + kHeaderOverhead;
  return n;
}

std::string_view header_value(const DeadLetter& d, std::string_view name) {
  for (const auto& h : d.headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

// Errors that are this record's own fault: sending it again fails again, whatever the broker's
// state. Anything else (broker down, timeouts, authorization, unknown topic) is retried in order.
bool permanent_for_record(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return true;
    default:
      return false;
  }
}

}  // namespace

/// Makes `d` fit under `max_bytes`: an oversize value is replaced by the prefix that fits, with
/// its original size and SHA-256 in headers. Key and headers are kept as they are.
void fit_dead_letter(DeadLetter& d, std::size_t max_bytes) {
  const std::size_t budget = max_bytes > 2 * kSizeMargin ? max_bytes - kSizeMargin : max_bytes / 2;
  if (record_size(d) <= budget) return;
  const std::string original_size = std::to_string(d.value.size());
  d.headers.push_back({dlq_publisher_header::kTruncated, original_size});
  d.headers.push_back({dlq_publisher_header::kOriginalSha256, sha256_hex(d.value)});
  const std::size_t rest = record_size(d) - d.value.size();
  d.value.resize(rest < budget ? budget - rest : 0);
}

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
  std::vector<std::pair<std::int64_t, rd_kafka_resp_err_t>> refused;  // permanent errors
  std::unordered_map<std::int64_t, std::string> reason_of;  // of the rows sent, for the log
  bool had_failure = false;
  std::int64_t published_total = 0;
  std::int64_t failure_total = 0;
  std::int64_t unpublishable_total = 0;
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;
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
    if (m->err && permanent_for_record(m->err)) {
      ++self->failure_total;
      self->refused.emplace_back(seq, m->err);
    } else if (m->err) {
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

  // Removes acknowledged rows and marks refused ones, in one transaction.
  void record_outcomes() {
    if (delivered.empty() && refused.empty()) return;
    // Relaxed: if the commit is lost, the rows are sent (or refused) once more, harmlessly.
    Transaction tx(store, Durability::relaxed);
    for (auto seq : delivered) store.dead_letters().remove(seq);
    for (const auto& [seq, err] : refused)
      store.dead_letters().mark_unpublishable(seq, rd_kafka_err2str(err));
    tx.commit();
    for (std::size_t i = 0; i < refused.size(); ++i) {
      spdlog::error("event=dead_letter_unpublishable seq={} reason={} error=\"{}\"",
                    refused[i].first, reason_of[refused[i].first],
                    rd_kafka_err2str(refused[i].second));
    }
    published_total += static_cast<std::int64_t>(delivered.size());
    unpublishable_total += static_cast<std::int64_t>(refused.size());
    if (in_flight == 0) reason_of.clear();
    delivered.clear();
    refused.clear();
  }

  // Records outcomes; sends the next rows once nothing is in flight.
  void settle() {
    record_outcomes();
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
      fit_dead_letter(d, max_message_bytes);
      reason_of[d.seq] = std::string(header_value(d, "opsync-dlq-reason"));
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
      if (err && permanent_for_record(err)) {
        rd_kafka_headers_destroy(hdrs);
        ++failure_total;
        refused.emplace_back(d.seq, err);
        continue;
      }
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
    if (in_flight == 0 && (had_failure || !refused.empty())) settle();
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
    if (k == "message.max.bytes") {
      try {
        d.max_message_bytes = static_cast<std::size_t>(std::stoull(v));
      } catch (const std::exception&) {
      }
    }
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
  d.record_outcomes();
}

std::int64_t DeadLetterPublisher::published() const {
  return impl_->published_total;
}
std::int64_t DeadLetterPublisher::failures() const {
  return impl_->failure_total;
}
std::int64_t DeadLetterPublisher::unpublishable() const {
  return impl_->unpublishable_total;
}

}  // namespace opsync
