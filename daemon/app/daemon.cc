#include "app/daemon.h"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>

#include "events/event_decoder.h"
#include "kafka/dead_letter_publisher.h"
#include "kafka/kafka_consumer.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"

namespace opsync {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

KafkaOptions kafka_options(const Config& c) {
  KafkaOptions o;
  o.brokers = join(c.kafka.brokers, ",");
  o.topic = c.kafka.topic;
  o.group_id = c.kafka.group_id;
  o.dead_letter_topic = c.kafka.dead_letter_topic;
  o.properties = c.kafka.properties;
  o.max_batch = c.state.batch_max_events;
  return o;
}

}  // namespace

struct Daemon::Impl {
  boost::asio::io_context& io;
  Config config;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<EventDecoder> decoder;
  std::unique_ptr<Reconciler> reconciler;
  std::unique_ptr<IngestBatch> ingest;
  std::unique_ptr<KafkaConsumer> consumer;
  std::unique_ptr<DeadLetterPublisher> dead_letters;
  boost::asio::steady_timer prune_timer;
  DaemonStats stats;
  std::vector<std::function<void(const IngestResult&)>> observers;
  bool stopping = false;
  bool stopped = false;

  Impl(boost::asio::io_context& io_, Config c) : io(io_), config(std::move(c)), prune_timer(io_) {}

  void handle_batch(std::vector<ConsumedMessage>& batch) {
    IngestResult r = ingest->apply(batch, now_ms());
    stats.ingest += r.counts;
    ++stats.batches;
    if (r.counts.invalid > 0) dead_letters->wake();
    for (auto& o : observers) o(r);
  }

  void schedule_prune() {
    prune_timer.expires_after(std::chrono::minutes(10));
    prune_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      auto retention = std::chrono::duration_cast<std::chrono::milliseconds>(
          config.state.processed_event_retention);
      auto n = store->prune_processed_events(now_ms() - retention.count());
      if (n > 0) spdlog::info("event=processed_ids_pruned count={}", n);
      schedule_prune();
    });
  }
};

Daemon::Daemon(boost::asio::io_context& io, Config config)
    : impl_(std::make_unique<Impl>(io, std::move(config))) {}

Daemon::~Daemon() = default;

void Daemon::start() {
  auto& d = *impl_;
  d.store = std::make_unique<StateStore>(d.config.state.directory);
  spdlog::info("event=store_opened path={} operators={}", d.store->path(),
               d.store->count_operators());
  DecoderLimits limits;
  limits.max_message_bytes = d.config.kafka.max_message_bytes;
  d.decoder = std::make_unique<EventDecoder>(limits);
  d.reconciler = std::make_unique<Reconciler>(*d.store, std::vector<PushPlanner*>{});
  d.ingest = std::make_unique<IngestBatch>(*d.store, *d.decoder, *d.reconciler);
  auto opts = kafka_options(d.config);
  d.dead_letters = std::make_unique<DeadLetterPublisher>(d.io, opts, *d.store);
  d.dead_letters->start();
  d.consumer = std::make_unique<KafkaConsumer>(
      d.io, opts, [&d](std::vector<ConsumedMessage>& batch) { d.handle_batch(batch); },
      [&d](const std::string& topic) { return d.store->load_offsets(topic); });
  d.consumer->start();
  d.schedule_prune();
}

void Daemon::stop(std::function<void()> done) {
  auto& d = *impl_;
  if (d.stopped || d.stopping) {
    if (done) done();
    return;
  }
  d.stopping = true;
  spdlog::info("event=stopping");
  d.prune_timer.cancel();
  if (d.consumer) d.consumer->close();
  if (d.dead_letters) d.dead_letters->flush(std::chrono::seconds(5));
  d.consumer.reset();
  d.dead_letters.reset();
  d.store.reset();
  d.stopped = true;
  spdlog::info("event=stopped");
  if (done) done();
}

bool Daemon::ready() const {
  const auto& d = *impl_;
  return d.store && d.consumer && d.consumer->subscribed() && d.consumer->assigned_partitions() > 0;
}

const DaemonStats& Daemon::stats() const {
  impl_->stats.dead_letters_published = impl_->dead_letters ? impl_->dead_letters->published() : 0;
  return impl_->stats;
}

StateStore& Daemon::store() {
  return *impl_->store;
}

const Config& Daemon::config() const {
  return impl_->config;
}

void Daemon::on_batch(std::function<void(const IngestResult&)> observer) {
  impl_->observers.push_back(std::move(observer));
}

}  // namespace opsync
