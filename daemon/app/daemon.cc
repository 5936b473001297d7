#include "app/daemon.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/connector_planner.h"
#include "dispatch/dispatcher.h"
#include "events/event_decoder.h"
#include "framework/registry.h"
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
  std::vector<std::unique_ptr<Connector>> connectors;
  std::vector<std::unique_ptr<ConnectorPlanner>> planners;
  std::unique_ptr<Dispatcher> dispatcher;
  /// Connectors replaced by a reload: kept alive until the daemon is destroyed, because pushes
  /// cancelled by a drain deadline may still be unwinding on the loop.
  std::vector<std::unique_ptr<Connector>> retired;
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
    if (dispatcher) {
      for (const auto& [connector, op] : r.queued_pushes) dispatcher->notify(connector, op);
    }
    for (auto& o : observers) o(r);
  }

  // Builds connectors, planners and the dispatcher for `cfg` (throws on bad settings).
  void install_connectors(std::vector<std::unique_ptr<Connector>> built) {
    connectors = std::move(built);
    planners.clear();
    std::vector<PushPlanner*> planner_ptrs;
    std::vector<Connector*> connector_ptrs;
    for (auto& c : connectors) {
      planners.push_back(std::make_unique<ConnectorPlanner>(*c));
      planner_ptrs.push_back(planners.back().get());
      connector_ptrs.push_back(c.get());
      spdlog::info("event=connector_started connector={} type={}", c->name(), c->type());
    }
    if (reconciler) {
      reconciler->set_planners(std::move(planner_ptrs));
    } else {
      reconciler = std::make_unique<Reconciler>(*store, std::move(planner_ptrs));
    }
    bootstrap_new_connectors();
    Dispatcher::Options dispatch_options;
    dispatch_options.on_dead_letter = [this] {
      if (dead_letters) dead_letters->wake();
    };
    dispatcher = std::make_unique<Dispatcher>(io, *store, connector_ptrs, dispatch_options);
    dispatcher->start();
  }

  // A connector instance this store has never served gets the whole live roster once, so adding
  // a vendor to the configuration brings it up to date without waiting for each operator to
  // change. The marker is durable, so this happens once per instance name.
  void bootstrap_new_connectors() {
    for (auto& planner : planners) {
      const std::string marker = "connector_bootstrapped:" + planner->connector_name();
      if (store->load_counters().count(marker)) continue;
      std::int64_t queued = 0;
      store->begin();
      try {
        store->for_each_operator([&](const CanonicalOperator& op) {
          if (!op.deleted && planner->needs_push(op, *store)) {
            store->upsert_outbox(planner->connector_name(), op.id, now_ms());
            ++queued;
          }
        });
        store->add_counter(marker, 1);
        store->commit();
      } catch (...) {
        store->rollback();
        throw;
      }
      spdlog::info("event=connector_bootstrapped connector={} pushes_queued={}",
                   planner->connector_name(), queued);
    }
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
  d.install_connectors(builtin_connectors().create_all(d.config.connectors, d.io));
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
  spdlog::info("event=stopping drain_timeout_ms={}", d.config.shutdown.drain_timeout.count());
  d.prune_timer.cancel();
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
