// The daemon's Prometheus metrics (docs/operations.md, "Metrics").

#include "app/daemon_impl.h"

namespace opsync {
namespace {

std::string_view outcome_label(PushOutcome o) {
  switch (o) {
    case PushOutcome::ok:
      return "ok";
    case PushOutcome::retry:
      return "retry";
    case PushOutcome::permanent:
      return "permanent";
  }
  return "unknown";
}

}  // namespace

void DaemonMetrics::observe_push(const std::string& connector, PushOutcome outcome,
                                 std::chrono::steady_clock::duration took) {
  if (!pushes) return;
  pushes->with({connector, outcome_label(outcome)}).inc();
  push_duration->with({connector}).observe(std::chrono::duration<double>(took).count());
}

void DaemonMetrics::retire(const Dispatcher& dispatcher,
                           const std::vector<std::unique_ptr<Connector>>& connectors) {
  for (const auto& c : connectors) {
    auto now = dispatcher.counters(c->name());
    auto& r = retired[c->name()];
    r.pushes_ok += now.pushes_ok;
    r.pushes_retry += now.pushes_retry;
    r.pushes_permanent += now.pushes_permanent;
    r.mapping_errors += now.mapping_errors;
    r.skipped += now.skipped;
  }
}

void Daemon::Impl::register_metrics() {
  using metrics::SampleSink;
  auto& r = registry;
  auto ingest = [this](std::int64_t IngestCounts::*field) {
    return [this, field](SampleSink& s) { s.add({}, static_cast<double>(stats.ingest.*field)); };
  };
  r.counter_callback("opsync_events_consumed_total", "Events read from the Kafka topic.", {},
                     ingest(&IngestCounts::consumed));
  r.counter_callback("opsync_events_applied_total", "Events that changed a canonical record.", {},
                     ingest(&IngestCounts::applied));
  r.counter_callback("opsync_events_unchanged_total",
                     "Events newer than the record that carried no new values.", {},
                     ingest(&IngestCounts::unchanged));
  r.counter_callback("opsync_events_stale_total",
                     "Events not newer than the record (revision, else time).", {},
                     ingest(&IngestCounts::stale));
  r.counter_callback("opsync_events_duplicate_total",
                     "Events whose source and id were seen before.", {},
                     ingest(&IngestCounts::duplicate));
  r.counter_callback("opsync_events_invalid_total",
                     "Invalid events, sent to the dead-letter topic.", {"reason"},
                     [this](SampleSink& s) {
                       for (const auto& [reason, n] : stats.ingest.invalid_by_reason) {
                         s.add({reason}, static_cast<double>(n));
                       }
                     });
  metrics.pushes = &r.counter("opsync_pushes_total", "Vendor pushes by connector and outcome.",
                              {"connector", "outcome"});
  metrics.push_duration =
      &r.histogram("opsync_push_duration_seconds", "Duration of one vendor push (all its calls).",
                   metrics::latency_buckets_seconds(), {"connector"});
  auto per_connector = [this](auto field) {
    return [this, field](SampleSink& s) {
      if (!dispatcher) return;
      for (const auto& c : connectors) {
        DispatchCounters now = dispatcher->counters(c->name());
        const DispatchCounters& old = metrics.retired[c->name()];
        s.add({c->name()}, static_cast<double>(now.*field + old.*field));
      }
    };
  };
  r.counter_callback("opsync_push_retries_total", "Pushes scheduled for another attempt.",
                     {"connector"}, per_connector(&DispatchCounters::pushes_retry));
  r.counter_callback("opsync_dead_letters_total",
                     "Records sent to the dead-letter topic, by reason.", {"reason"},
                     [this](SampleSink& s) {
                       std::uint64_t rejected = 0, unmappable = 0;
                       for (const auto& [name, old] : metrics.retired) {
                         rejected += old.pushes_permanent;
                         unmappable += old.mapping_errors;
                       }
                       if (dispatcher) {
                         for (const auto& c : connectors) {
                           auto now = dispatcher->counters(c->name());
                           rejected += now.pushes_permanent;
                           unmappable += now.mapping_errors;
                         }
                       }
                       std::map<std::string, double> by_reason;
                       for (const auto& [reason, n] : stats.ingest.invalid_by_reason) {
                         by_reason[reason] += static_cast<double>(n);
                       }
                       by_reason["vendor_rejected"] += static_cast<double>(rejected);
                       by_reason["mapping_failed"] += static_cast<double>(unmappable);
                       for (const auto& [reason, n] : by_reason) s.add({reason}, n);
                     });
  r.gauge_callback("opsync_outbox_backlog", "Operators with a pending push, by connector.",
                   {"connector"}, [this](SampleSink& s) {
                     if (!dispatcher) return;
                     for (const auto& c : connectors) {
                       s.add({c->name()},
                             static_cast<double>(dispatcher->counters(c->name()).backlog));
                     }
                   });
  r.gauge_callback("opsync_pushes_in_flight", "Lanes with a request in flight, by connector.",
                   {"connector"}, [this](SampleSink& s) {
                     if (!dispatcher) return;
                     for (const auto& c : connectors) {
                       s.add({c->name()},
                             static_cast<double>(dispatcher->counters(c->name()).in_flight));
                     }
                   });
  r.gauge_callback(
      "opsync_breaker_state", "Circuit breaker state by connector: 0 closed, 1 half-open, 2 open.",
      {"connector"}, [this](SampleSink& s) {
        if (!dispatcher) return;
        for (const auto& c : connectors) {
          s.add({c->name()},
                static_cast<double>(static_cast<int>(dispatcher->counters(c->name()).breaker)));
        }
      });
  r.gauge_callback("opsync_consumer_lag", "Messages behind the high watermark, by partition.",
                   {"partition"}, [this](SampleSink& s) {
                     if (!consumer) return;
                     for (const auto& [partition, lag] : consumer->lag()) {
                       s.add({std::to_string(partition)}, static_cast<double>(lag));
                     }
                   });
  r.gauge_callback(
      "opsync_dead_letter_backlog", "Dead letters stored but not yet published.",
      [this] { return store ? static_cast<double>(store->dead_letters().backlog()) : 0.0; });
  r.gauge_callback("opsync_ready", "1 when the store is open and partitions are assigned.", [this] {
    return store && consumer && consumer->assigned_partitions() > 0 ? 1.0 : 0.0;
  });
}

}  // namespace opsync
