#pragma once
// Daemon::Impl: shared by daemon.cc (lifecycle), daemon_admin.cc (the admin backend) and
// daemon_metrics.cc. Not a public header.

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>

#include "admin/admin_backend.h"
#include "admin/admin_server.h"
#include "app/daemon.h"
#include "dispatch/connector_planner.h"
#include "dispatch/dispatcher.h"
#include "events/event_decoder.h"
#include "framework/registry.h"
#include "kafka/dead_letter_publisher.h"
#include "kafka/kafka_consumer.h"
#include "metrics/registry.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"

namespace opsync {

namespace daemon_detail {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

inline KafkaOptions kafka_options(const Config& c) {
  KafkaOptions o;
  o.brokers = join(c.kafka.brokers, ",");
  o.topic = c.kafka.topic;
  o.group_id = c.kafka.group_id;
  o.dead_letter_topic = c.kafka.dead_letter_topic;
  o.properties = c.kafka.properties;
  o.max_batch = c.state.batch_max_events;
  return o;
}

}  // namespace daemon_detail
using daemon_detail::now_ms;

/// The daemon's own metrics: handles kept for the hot path, plus totals of dispatchers that a
/// reload replaced (so push counters never go backwards).
struct DaemonMetrics {
  metrics::Family<metrics::Counter>* pushes = nullptr;
  metrics::Family<metrics::Histogram>* push_duration = nullptr;
  std::map<std::string, DispatchCounters> retired;

  void observe_push(const std::string& connector, PushOutcome outcome,
                    std::chrono::steady_clock::duration took);
  void retire(const Dispatcher& dispatcher,
              const std::vector<std::unique_ptr<Connector>>& connectors);
};

struct Daemon::Impl {
  // Declared first: destroyed last, after everything that registered into it.
  metrics::Registry registry;
  DaemonMetrics metrics;
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

  std::unique_ptr<admin::AdminBackend> admin_backend;
  std::unique_ptr<admin::AdminServer> admin;

  Impl(boost::asio::io_context& io_, Config c) : io(io_), config(std::move(c)), prune_timer(io_) {}

  void register_metrics();  // daemon_metrics.cc
  void start_admin();       // daemon_admin.cc

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
    dispatch_options.on_push = [this](const std::string& connector, PushOutcome outcome,
                                      std::chrono::steady_clock::duration took) {
      metrics.observe_push(connector, outcome, took);
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
      if (store->progress().load_counters().count(marker)) continue;
      std::int64_t queued = 0;
      Transaction tx(*store);
      store->operators().for_each([&](const CanonicalOperator& op) {
        if (!op.deleted && planner->needs_push(op, *store)) {
          store->outbox().upsert(planner->connector_name(), op.id, now_ms());
          ++queued;
        }
      });
      store->progress().add_counter(marker, 1);
      tx.commit();
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
      auto n = store->operators().prune_processed_events(now_ms() - retention.count());
      if (n > 0) spdlog::info("event=processed_ids_pruned count={}", n);
      schedule_prune();
    });
  }
};

/// Creates the admin backend over the daemon's state (daemon_admin.cc).
std::unique_ptr<admin::AdminBackend> make_admin_backend(Daemon::Impl& d);

}  // namespace opsync
