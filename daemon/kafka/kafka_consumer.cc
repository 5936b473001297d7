#include "kafka/kafka_consumer.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "kafka/kafka_util.h"

namespace opsync {

struct KafkaConsumer::Impl {
  boost::asio::io_context& io;
  KafkaOptions options;
  BatchHandler on_batch;
  StoredOffsets stored_offsets;
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  boost::asio::posix::stream_descriptor wake;
  int wake_write_fd = -1;
  // librdkafka counts the time between rd_kafka_consumer_poll() calls against
  // max.poll.interval.ms and leaves the group when it is exceeded. The pipe only fires when
  // something arrives, so an idle (or paused) consumer must still poll on a timer.
  boost::asio::steady_timer keepalive;
  std::chrono::milliseconds keepalive_every{1000};
  // Messages polled while paused (to keep the membership alive): applied first on resume.
  std::vector<ConsumedMessage> held;
  bool paused = false;
  bool closed = false;
  bool is_subscribed = false;
  bool drain_posted = false;
  std::size_t assigned = 0;
  bool ever_assigned = false;
  std::uint64_t rebalance_count = 0;
  std::uint64_t batch_count = 0;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(boost::asio::io_context& io_, KafkaOptions o, BatchHandler b, StoredOffsets s)
      : io(io_),
        options(std::move(o)),
        on_batch(std::move(b)),
        stored_offsets(std::move(s)),
        wake(io_),
        keepalive(io_) {}

  ~Impl() {
    *alive = false;
    if (queue) rd_kafka_queue_destroy(queue);
    if (rk) {
      if (ever_assigned) {
        rd_kafka_destroy(rk);
      } else {
        // librdkafka before 2.3.0 (Debian bookworm ships 2.0.2) aborts in
        // rd_kafka_sticky_assignor_state_destroy when a cooperative-sticky consumer that joined a
        // group is destroyed before its first assignment (librdkafka issue 4312). The consumer
        // was closed already; its handle is kept, reachable, until the process exits.
        spdlog::debug("event=consumer_handle_kept reason=\"librdkafka 4312: never assigned\"");
        static std::vector<rd_kafka_t*> kept;
        kept.push_back(rk);
      }
    }
    if (wake_write_fd >= 0) ::close(wake_write_fd);
  }

  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    static_cast<Impl*>(opaque)->rebalance(rk, err, parts);
  }

  void rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err,
                 rd_kafka_topic_partition_list_t* parts) {
    ++rebalance_count;
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(handle), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      std::map<std::string, std::map<std::int32_t, std::int64_t>> cache;
      for (int i = 0; i < parts->cnt; ++i) {
        auto& tp = parts->elems[i];
        auto it = cache.find(tp.topic);
        if (it == cache.end()) it = cache.emplace(tp.topic, stored_offsets(tp.topic)).first;
        auto off = it->second.find(tp.partition);
        if (off != it->second.end()) tp.offset = off->second;
        spdlog::info("event=partition_assigned topic={} partition={} start_offset={}", tp.topic,
                     tp.partition,
                     off != it->second.end() ? std::to_string(off->second) : "committed");
      }
      rd_kafka_error_t* error = nullptr;
      if (cooperative) {
        error = rd_kafka_incremental_assign(handle, parts);
      } else {
        rd_kafka_assign(handle, parts);
      }
      if (error) {
        spdlog::error("event=assign_failed error=\"{}\"", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
      } else {
        // Assigned while paused (a rebalance served by the keep-alive poll): paused too.
        if (paused) rd_kafka_pause_partitions(handle, parts);
        ever_assigned = true;
        assigned = cooperative ? assigned + static_cast<std::size_t>(parts->cnt)
                               : static_cast<std::size_t>(parts->cnt);
      }
    } else {
      for (int i = 0; i < parts->cnt; ++i) {
        spdlog::info("event=partition_revoked topic={} partition={}", parts->elems[i].topic,
                     parts->elems[i].partition);
      }
      if (cooperative) {
        if (auto* error = rd_kafka_incremental_unassign(handle, parts)) {
          spdlog::error("event=unassign_failed error=\"{}\"", rd_kafka_error_string(error));
          rd_kafka_error_destroy(error);
        }
        assigned -= std::min(assigned, static_cast<std::size_t>(parts->cnt));
      } else {
        rd_kafka_assign(handle, nullptr);
        assigned = 0;
      }
    }
  }

  void wait_for_wake() {
    wake.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this, alive = alive](boost::system::error_code ec) {
                      if (!*alive || ec || closed) return;
                      char buf[256];
                      while (::read(wake.native_handle(), buf, sizeof buf) > 0) {
                      }
                      drain();
                      wait_for_wake();
                    });
  }

  void post_drain() {
    if (drain_posted) return;
    drain_posted = true;
    boost::asio::post(io, [this, alive = alive] {
      if (!*alive) return;
      drain_posted = false;
      drain();
    });
  }

  // One rd_kafka_consumer_poll(): a message (copied), or nothing. Serves rebalance callbacks and
  // resets librdkafka's max.poll.interval.ms clock.
  std::optional<ConsumedMessage> poll_one() {
    while (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 0)) {
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          spdlog::warn("event=consumer_error error=\"{}\"", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        continue;
      }
      ConsumedMessage out = copy_message(m);
      rd_kafka_message_destroy(m);
      return out;
    }
    return std::nullopt;
  }

  void schedule_keepalive() {
    keepalive.expires_after(keepalive_every);
    keepalive.async_wait([this, alive = alive](boost::system::error_code ec) {
      if (!*alive || ec || closed) return;
      if (paused) {
        // Poll without applying: what arrives is held for resume(). Fetching is paused at the
        // partitions too (pause()), so this holds little; past one batch it stops holding (the
        // membership may then lapse, which only costs a rebalance).
        if (held.size() < options.max_batch) {
          if (auto m = poll_one()) held.push_back(std::move(*m));
        }
      } else {
        drain();
      }
      schedule_keepalive();
    });
  }

  void pause_fetching(bool pause) {
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return;
    if (parts->cnt > 0) {
      if (pause) {
        rd_kafka_pause_partitions(rk, parts);
      } else {
        rd_kafka_resume_partitions(rk, parts);
      }
    }
    rd_kafka_topic_partition_list_destroy(parts);
  }

  // Takes what the queue holds (up to one batch), applies it, stores its offsets.
  void drain() {
    if (closed || paused) return;
    std::vector<ConsumedMessage> batch = std::move(held);
    held.clear();
    batch.reserve(std::min<std::size_t>(options.max_batch, 1024));
    while (batch.size() < options.max_batch) {
      auto m = poll_one();
      if (!m) break;
      batch.push_back(std::move(*m));
    }
    if (!batch.empty()) {
      on_batch(batch);  // throws if the batch did not become durable: no offset is stored then
      ++batch_count;
      store_offsets(batch);
    }
    // A full batch may have left messages behind; the pipe fires only on empty -> non-empty.
    if (batch.size() >= options.max_batch) post_drain();
  }

  void store_offsets(const std::vector<ConsumedMessage>& batch) {
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> next;
    for (const auto& m : batch) next[{m.topic, m.partition}] = m.offset + 1;
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
    for (const auto& [tp, off] : next) {
      rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = off;
    }
    if (auto err = rd_kafka_offsets_store(rk, list); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Happens when a partition was revoked meanwhile; the state store still has the offset.
      spdlog::debug("event=offsets_store_failed error=\"{}\"", rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
};

KafkaConsumer::KafkaConsumer(boost::asio::io_context& io, KafkaOptions options,
                             BatchHandler on_batch, StoredOffsets stored_offsets)
    : impl_(std::make_unique<Impl>(io, std::move(options), std::move(on_batch),
                                   std::move(stored_offsets))) {}

KafkaConsumer::~KafkaConsumer() = default;

void KafkaConsumer::start() {
  auto& d = *impl_;
  KafkaConf conf;
  conf.set("bootstrap.servers", d.options.brokers);
  conf.set("group.id", d.options.group_id);
  conf.set("enable.auto.offset.store", "false");
  conf.set("enable.auto.commit", "true");
  conf.set("auto.offset.reset", "earliest");
  conf.set("partition.assignment.strategy", "cooperative-sticky");
  conf.set("enable.partition.eof", "false");
  conf.set("client.id", "opsyncd");
  for (const auto& [k, v] : d.options.properties) conf.set(k, v);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::rebalance_cb);
  rd_kafka_conf_set_opaque(conf.get(), &d);
  install_log_callback(conf.get());

  char errstr[512];
  d.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.release(), errstr, sizeof errstr);
  if (!d.rk) throw std::runtime_error(std::string("kafka consumer: ") + errstr);
  rd_kafka_poll_set_consumer(d.rk);
  d.queue = rd_kafka_queue_get_consumer(d.rk);

  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::runtime_error("kafka consumer: pipe2 failed");
  d.wake.assign(fds[0]);
  d.wake_write_fd = fds[1];
  rd_kafka_queue_io_event_enable(d.queue, d.wake_write_fd, "1", 1);

  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, d.options.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(d.rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) throw std::runtime_error(std::string("kafka subscribe: ") + rd_kafka_err2str(err));
  d.is_subscribed = true;
  spdlog::info("event=consumer_subscribed topic={} group={}", d.options.topic, d.options.group_id);
  d.wait_for_wake();
  d.post_drain();  // the queue may already hold something
  // Poll at least four times per max.poll.interval.ms, and at least once a second.
  std::int64_t max_poll_ms = 300'000;
  if (auto it = d.options.properties.find("max.poll.interval.ms");
      it != d.options.properties.end()) {
    const auto& v = it->second;
    std::from_chars(v.data(), v.data() + v.size(), max_poll_ms);
  }
  d.keepalive_every =
      std::chrono::milliseconds(std::clamp<std::int64_t>(max_poll_ms / 4, 10, 1000));
  d.schedule_keepalive();
}

void KafkaConsumer::pause() {
  auto& d = *impl_;
  if (d.paused) return;
  d.paused = true;
  if (d.rk && !d.closed) d.pause_fetching(true);
}

void KafkaConsumer::resume() {
  auto& d = *impl_;
  if (!d.paused) return;
  d.paused = false;
  if (d.rk && !d.closed) d.pause_fetching(false);
  d.post_drain();
}

void KafkaConsumer::close() {
  auto& d = *impl_;
  if (d.closed || !d.rk) return;
  d.closed = true;
  boost::system::error_code ignored;
  d.wake.cancel(ignored);
  d.keepalive.cancel();
  rd_kafka_queue_io_event_enable(d.queue, -1, nullptr, 0);
  // Commits the stored offsets and leaves the group; rebalance callbacks run in here.
  if (auto err = rd_kafka_consumer_close(d.rk)) {
    spdlog::warn("event=consumer_close_failed error=\"{}\"", rd_kafka_err2str(err));
  }
  d.is_subscribed = false;
  d.assigned = 0;
}

bool KafkaConsumer::subscribed() const {
  return impl_->is_subscribed;
}

std::size_t KafkaConsumer::assigned_partitions() const {
  return impl_->assigned;
}

std::uint64_t KafkaConsumer::batches() const {
  return impl_->batch_count;
}

std::uint64_t KafkaConsumer::rebalances() const {
  return impl_->rebalance_count;
}

std::map<std::int32_t, std::int64_t> KafkaConsumer::lag() const {
  std::map<std::int32_t, std::int64_t> out;
  auto& d = *impl_;
  if (!d.rk || d.closed) return out;
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(d.rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return out;
  rd_kafka_position(d.rk, parts);
  for (int i = 0; i < parts->cnt; ++i) {
    auto& tp = parts->elems[i];
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(d.rk, tp.topic, tp.partition, &low, &high) != 0 ||
        high < 0) {
      continue;
    }
    const int64_t pos = tp.offset >= 0 ? tp.offset : low;
    out[tp.partition] = std::max<int64_t>(0, high - pos);
  }
  rd_kafka_topic_partition_list_destroy(parts);
  return out;
}

}  // namespace opsync
