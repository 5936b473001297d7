#include "app/daemon.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "admin/admin_server.h"
#include "app/daemon_admin.h"
#include "app/daemon_metrics.h"
#include "dispatch/bulk_resync.h"
#include "dispatch/delivery.h"
#include "events/event_decoder.h"
#include "framework/registry.h"
#include "kafka/dead_letter_publisher.h"
#include "kafka/kafka_consumer.h"
#include "metrics/registry.h"
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

// The daemon's parts, in the order they are built by start() (and destroyed in reverse).
struct Daemon::Impl {
  // Declared first: destroyed last, after everything that registered into it.
  metrics::Registry registry;
  PushMetrics push_metrics{registry};
  boost::asio::io_context& io;
  Config config;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<EventDecoder> decoder;
  std::unique_ptr<Reconciler> reconciler;
  std::unique_ptr<Delivery> delivery;
  std::unique_ptr<BulkResync> bulk_resync;
  std::unique_ptr<IngestBatch> ingest;
  std::unique_ptr<KafkaConsumer> consumer;
  std::unique_ptr<DeadLetterPublisher> dead_letters;
  std::unique_ptr<admin::AdminBackend> admin_backend;
  std::unique_ptr<admin::AdminServer> admin;
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
    for (const auto& [connector, op] : r.queued_pushes) delivery->notify(connector, op);
    for (auto& o : observers) o(r);
  }

  // Why the store or the consumer cannot serve yet; empty once partitions are assigned.
  std::string not_consuming() const {
    if (!store) return "the state store is not open";
    if (!consumer || !consumer->subscribed()) return "the consumer is not subscribed";
    if (consumer->assigned_partitions() == 0) return "no partition is assigned yet";
    return {};
  }

  // GET /readyz: consuming, and not stopping.
  std::string not_ready() const {
    std::string why = not_consuming();
    if (why.empty() && stopping) why = "stopping";
    return why;
  }

  void schedule_prune() {
    prune_timer.expires_after(std::chrono::minutes(10));
    prune_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      auto retention = std::chrono::duration_cast<std::chrono::milliseconds>(
          config.state.processed_event_retention);
      auto n = store->operators().prune_processed_events(now_ms() - retention.count());
      if (n > 0) spdlog::info("event=processed_ids_pruned count={}", n);
      schedule_prune();
    });
  }

  void start_admin() {
    admin_backend =
        make_admin_backend(AdminSources{registry, *store, *delivery, *bulk_resync, *consumer,
                                        stats.ingest, [this] { return not_ready(); }});
    admin::AdminServerOptions options;
    options.listen = config.admin.listen;
    if (config.admin.bearer_token) options.bearer_token = config.admin.bearer_token->reveal();
    admin = std::make_unique<admin::AdminServer>(io, *admin_backend, registry, options);
    admin->start();
    spdlog::info("event=admin_listening address={} port={}", config.admin.listen, admin->port());
  }
};

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
  d.reconciler = std::make_unique<Reconciler>(*d.store, std::vector<PushPlanner*>{});
  Delivery::Options delivery_options;
  delivery_options.on_dead_letter = [&d] {
    if (d.dead_letters) d.dead_letters->wake();
  };
  delivery_options.on_push = [&d](const std::string& connector, PushOutcome outcome,
                                  std::chrono::steady_clock::duration took) {
    d.push_metrics.observe(connector, outcome, took);
  };
  d.delivery = std::make_unique<Delivery>(d.io, *d.store, *d.reconciler, delivery_options);
  d.delivery->start(builtin_connectors().create_all(d.config.connectors, d.io));
  d.bulk_resync = std::make_unique<BulkResync>(d.io, *d.store, *d.delivery, BulkResync::Options{});
  d.bulk_resync->start();
  d.ingest = std::make_unique<IngestBatch>(*d.store, *d.decoder, *d.reconciler);
  auto opts = kafka_options(d.config);
  d.dead_letters = std::make_unique<DeadLetterPublisher>(d.io, opts, *d.store);
  d.dead_letters->start();
  d.consumer = std::make_unique<KafkaConsumer>(
      d.io, opts, [&d](std::vector<ConsumedMessage>& batch) { d.handle_batch(batch); },
      [&d](const std::string& topic) { return d.store->progress().load_offsets(topic); });
  d.consumer->start();
  d.schedule_prune();
  register_daemon_metrics(d.registry,
                          MetricSources{*d.delivery, *d.consumer, *d.store, d.stats.ingest});
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
  // The admin server is the only reader of the metric callbacks and the admin backend: stop it
  // before any part they read is closed.
  if (d.admin) d.admin->stop();
  // Stop consuming first: nothing new enters the outbox while in-flight pushes finish.
  if (d.consumer) d.consumer->pause();
  if (d.bulk_resync) d.bulk_resync->stop();
  auto finish = [&d, done = std::move(done)] {
    // What completed is in the store; the rest stays in the outbox for the next start.
    d.bulk_resync.reset();
    d.delivery.reset();
    if (d.consumer) d.consumer->close();  // commits the stored offsets
    if (d.dead_letters) d.dead_letters->flush(std::chrono::seconds(5));
    d.consumer.reset();
    d.dead_letters.reset();
    d.store.reset();
    d.stopped = true;
    spdlog::info("event=stopped");
    if (done) done();
  };
  if (!d.delivery) {
    finish();
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + d.config.shutdown.drain_timeout;
  boost::asio::co_spawn(
      d.io,
      [&d, deadline]() -> boost::asio::awaitable<void> { co_await d.delivery->drain(deadline); },
      [finish = std::move(finish)](std::exception_ptr e) mutable {
        if (e) spdlog::error("event=drain_failed");
        finish();
      });
}

void Daemon::reload(Config next, std::function<void(const std::string& error)> done) {
  auto& d = *impl_;
  if (d.stopping || d.stopped || !d.delivery) {
    done("the daemon is not running");
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

  // Pause ingest so no batch plans pushes against a connector set that is being replaced; the
  // delivery unit bootstraps the new set, drains the old one and swaps, or keeps the old one.
  if (d.consumer) d.consumer->pause();
  const auto deadline = std::chrono::steady_clock::now() + d.config.shutdown.drain_timeout;
  d.delivery->replace(
      std::move(built), deadline,
      [&d, next = std::move(next), done = std::move(done)](const std::string& error) mutable {
        if (error.empty()) {
          // The rest of the configuration changes only with the connectors, so a failed reload
          // keeps all of the previous one.
          d.config.connectors = std::move(next.connectors);
          d.config.logging = next.logging;
          d.config.shutdown = next.shutdown;
          d.config.state.processed_event_retention = next.state.processed_event_retention;
          spdlog::set_level(spdlog::level::from_str(d.config.logging.level));
          spdlog::info("event=reloaded connectors={}", d.delivery->connectors().size());
        }
        if (d.consumer && !d.stopping) d.consumer->resume();
        done(error);
      });
}

unsigned short Daemon::admin_port() const {
  return impl_->admin ? impl_->admin->port() : 0;
}

std::vector<ConnectorProgress> Daemon::connector_progress() const {
  const auto& d = *impl_;
  std::vector<ConnectorProgress> out;
  if (!d.delivery) return out;
  for (const Connector* c : d.delivery->connectors()) {
    ConnectorProgress p;
    p.name = c->name();
    p.type = std::string(c->type());
    const DispatchCounters k = d.delivery->counters(c->name());
    p.pushes_ok = k.pushes_ok;
    p.retries = k.pushes_retry;
    p.rejected = k.pushes_permanent + k.mapping_errors;
    p.backlog = k.backlog;
    out.push_back(std::move(p));
  }
  return out;
}

bool Daemon::ready() const {
  return impl_->not_consuming().empty();
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
