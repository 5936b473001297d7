#include "app/daemon.h"

#include "app/daemon_impl.h"

namespace opsync {

Daemon::Daemon(boost::asio::io_context& io, Config config)
    : impl_(std::make_unique<Impl>(io, std::move(config))) {}

Daemon::~Daemon() = default;

void Daemon::start() {
  auto& d = *impl_;
  d.store = std::make_unique<StateStore>(d.config.state.directory);
  spdlog::info("event=store_opened path={} operators={}", d.store->path(),
               d.store->operators().count());
  DecoderLimits limits;
  limits.max_message_bytes = d.config.kafka.max_message_bytes;
  d.decoder = std::make_unique<EventDecoder>(limits);
  d.install_connectors(builtin_connectors().create_all(d.config.connectors, d.io));
  d.ingest = std::make_unique<IngestBatch>(*d.store, *d.decoder, *d.reconciler);
  auto opts = daemon_detail::kafka_options(d.config);
  d.dead_letters = std::make_unique<DeadLetterPublisher>(d.io, opts, *d.store);
  d.dead_letters->start();
  d.consumer = std::make_unique<KafkaConsumer>(
      d.io, opts, [&d](std::vector<ConsumedMessage>& batch) { d.handle_batch(batch); },
      [&d](const std::string& topic) { return d.store->progress().load_offsets(topic); });
  d.consumer->start();
  d.schedule_prune();
  d.register_metrics();
  d.start_admin();
}

void Daemon::stop(std::function<void()> done) {
  auto& d = *impl_;
  if (d.stopped || d.stopping) {
    if (done) done();
    return;
  }
  d.stopping = true;
  spdlog::info("event=stopping drain_timeout_ms={}", d.config.shutdown.drain_timeout.count());
  d.prune_timer.cancel();
  if (d.admin) d.admin->stop();
  // Stop consuming first: nothing new enters the outbox while in-flight pushes finish.
  if (d.consumer) d.consumer->pause();
  auto finish = [&d, done = std::move(done)] {
    // What completed is in the store; the rest stays in the outbox for the next start.
    d.dispatcher.reset();
    if (d.consumer) d.consumer->close();  // commits the stored offsets
    if (d.dead_letters) d.dead_letters->flush(std::chrono::seconds(5));
    d.consumer.reset();
    d.dead_letters.reset();
    d.store.reset();
    d.stopped = true;
    spdlog::info("event=stopped");
    if (done) done();
  };
  if (!d.dispatcher) {
    finish();
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + d.config.shutdown.drain_timeout;
  boost::asio::co_spawn(
      d.io,
      [&d, deadline]() -> boost::asio::awaitable<void> { co_await d.dispatcher->drain(deadline); },
      [finish = std::move(finish)](std::exception_ptr e) mutable {
        if (e) spdlog::error("event=drain_failed");
        finish();
      });
}

void Daemon::reload(Config next, std::function<void(const std::string& error)> done) {
  auto& d = *impl_;
  if (d.stopping || d.stopped) {
    done("the daemon is stopping");
    return;
  }
  std::vector<std::unique_ptr<Connector>> built;
  try {
    built = builtin_connectors().create_all(next.connectors, d.io);
  } catch (const std::exception& e) {
    done(std::string("connectors: ") + e.what());
    return;
  }
  auto restart_only = [](bool changed, const char* what) {
    if (changed)
      spdlog::warn("event=reload_needs_restart section={} (kept the running value)", what);
  };
  restart_only(next.kafka.brokers != d.config.kafka.brokers ||
                   next.kafka.topic != d.config.kafka.topic ||
                   next.kafka.group_id != d.config.kafka.group_id ||
                   next.kafka.dead_letter_topic != d.config.kafka.dead_letter_topic ||
                   next.kafka.properties != d.config.kafka.properties,
               "kafka");
  restart_only(next.state.directory != d.config.state.directory, "state.directory");
  restart_only(next.admin.listen != d.config.admin.listen, "admin.listen");

  // Pause ingest so no batch plans pushes against connectors that are being replaced, let the
  // old dispatcher finish what is in flight, then swap.
  if (d.consumer) d.consumer->pause();
  const auto deadline = std::chrono::steady_clock::now() + d.config.shutdown.drain_timeout;
  auto swap = [&d, next = std::move(next), built = std::move(built),
               done = std::move(done)]() mutable {
    std::string error;
    try {
      d.dispatcher.reset();
      for (auto& c : d.connectors) d.retired.push_back(std::move(c));
      d.install_connectors(std::move(built));
      d.config.connectors = std::move(next.connectors);
      d.config.logging = next.logging;
      d.config.shutdown = next.shutdown;
      d.config.state.processed_event_retention = next.state.processed_event_retention;
      spdlog::set_level(spdlog::level::from_str(d.config.logging.level));
      spdlog::info("event=reloaded connectors={}", d.connectors.size());
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (d.consumer) d.consumer->resume();
    done(error);
  };
  if (!d.dispatcher) {
    swap();
    return;
  }
  boost::asio::co_spawn(
      d.io,
      [&d, deadline]() -> boost::asio::awaitable<void> { co_await d.dispatcher->drain(deadline); },
      [swap = std::move(swap)](std::exception_ptr) mutable { swap(); });
}

unsigned short Daemon::admin_port() const {
  return impl_->admin ? impl_->admin->port() : 0;
}

std::vector<ConnectorProgress> Daemon::connector_progress() const {
  const auto& d = *impl_;
  std::vector<ConnectorProgress> out;
  for (const auto& c : d.connectors) {
    ConnectorProgress p;
    p.name = c->name();
    p.type = std::string(c->type());
    DispatchCounters k = d.dispatcher ? d.dispatcher->counters(c->name()) : DispatchCounters{};
    if (auto it = d.metrics.retired.find(c->name()); it != d.metrics.retired.end()) {
      k.pushes_ok += it->second.pushes_ok;
      k.pushes_retry += it->second.pushes_retry;
      k.pushes_permanent += it->second.pushes_permanent;
      k.mapping_errors += it->second.mapping_errors;
    }
    p.pushes_ok = k.pushes_ok;
    p.retries = k.pushes_retry;
    p.rejected = k.pushes_permanent + k.mapping_errors;
    p.backlog = k.backlog;
    out.push_back(std::move(p));
  }
  return out;
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
