#include "app/daemon_metrics.h"

#include <map>

#include "dispatch/delivery.h"
#include "ingest/ingest_batch.h"
#include "kafka/kafka_consumer.h"
#include "metrics/registry.h"
#include "store/state_store.h"

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

PushMetrics::PushMetrics(metrics::Registry& registry)
    : pushes_(registry.counter("opsync_pushes_total", "Vendor pushes by connector and outcome.",
                               {"connector", "outcome"})),
      duration_(registry.histogram("opsync_push_duration_seconds",
                                   "Duration of one vendor push (all its calls).",
                                   metrics::latency_buckets_seconds(), {"connector"})) {}

void PushMetrics::observe(const std::string& connector, PushOutcome outcome,
                          std::chrono::steady_clock::duration took) {
  pushes_.with({connector, outcome_label(outcome)}).inc();
  duration_.with({connector}).observe(std::chrono::duration<double>(took).count());
}

void register_daemon_metrics(metrics::Registry& r, MetricSources src) {
  using metrics::SampleSink;
  const IngestCounts& in = src.ingest;
  const Delivery& delivery = src.delivery;
  const KafkaConsumer& consumer = src.consumer;
  StateStore& store = src.store;
  auto ingest = [&in](std::int64_t IngestCounts::*field) {
    return [&in, field](SampleSink& s) { s.add({}, static_cast<double>(in.*field)); };
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
                     [&in](SampleSink& s) {
                       for (const auto& [reason, n] : in.invalid_by_reason) {
                         s.add({reason}, static_cast<double>(n));
                       }
                     });
  // Per running connector. Delivery's counters are totals since the process started (reloads
  // included), so these counters never go down.
  auto per_connector = [&delivery](auto read) {
    return [&delivery, read](SampleSink& s) {
      for (const Connector* c : delivery.connectors()) {
        s.add({c->name()}, static_cast<double>(read(delivery.counters(c->name()))));
      }
    };
  };
  r.counter_callback("opsync_push_retries_total", "Pushes scheduled for another attempt.",
                     {"connector"},
                     per_connector([](const DispatchCounters& k) { return k.pushes_retry; }));
  r.counter_callback("opsync_dead_letters_total",
                     "Records sent to the dead-letter topic, by reason.", {"reason"},
                     [&in, &delivery](SampleSink& s) {
                       std::map<std::string, double> by_reason;
                       for (const auto& [reason, n] : in.invalid_by_reason) {
                         by_reason[reason] += static_cast<double>(n);
                       }
                       // Created at zero so the series exist before the first refusal.
                       double& rejected = by_reason["vendor_rejected"];
                       double& unmappable = by_reason["mapping_failed"];
                       for (const std::string& name : delivery.all_connector_names()) {
                         const DispatchCounters k = delivery.counters(name);
                         rejected += static_cast<double>(k.pushes_permanent);
                         unmappable += static_cast<double>(k.mapping_errors);
                       }
                       for (const auto& [reason, n] : by_reason) s.add({reason}, n);
                     });
  r.gauge_callback("opsync_outbox_backlog", "Operators with a pending push, by connector.",
                   {"connector"},
                   per_connector([](const DispatchCounters& k) { return k.backlog; }));
  r.gauge_callback("opsync_pushes_in_flight", "Lanes with a request in flight, by connector.",
                   {"connector"},
                   per_connector([](const DispatchCounters& k) { return k.in_flight; }));
  r.gauge_callback(
      "opsync_breaker_state", "Circuit breaker state by connector: 0 closed, 1 half-open, 2 open.",
      {"connector"},
      per_connector([](const DispatchCounters& k) { return static_cast<int>(k.breaker); }));
  r.gauge_callback(
      "opsync_connector_auth_failed",
      "1 while the vendor refuses the connector's credential (pushes held, probing), by connector.",
      {"connector"},
      per_connector([](const DispatchCounters& k) { return k.auth_failed ? 1 : 0; }));
  r.gauge_callback("opsync_consumer_lag", "Messages behind the high watermark, by partition.",
                   {"partition"}, [&consumer](SampleSink& s) {
                     for (const auto& [partition, lag] : consumer.lag()) {
                       s.add({std::to_string(partition)}, static_cast<double>(lag));
                     }
                   });
  r.gauge_callback("opsync_dead_letter_backlog", "Dead letters stored but not yet published.",
                   [&store] { return static_cast<double>(store.dead_letters().backlog()); });
  // Read from the store: the rows stay there, marked, so the count survives restarts.
  r.counter_callback(
      "opsync_dead_letters_unpublishable_total",
      "Dead letters the producer or broker refused for good; kept in the store, skipped.", {},
      [&store](SampleSink& s) {
        s.add({}, static_cast<double>(store.dead_letters().unpublishable()));
      });
  // Reconcile passes (docs/operations.md, "Drift detection and repair"). Drift and pass counts
  // are totals since the process started, added when a pass ends; the last success is read
  // from the store, so it survives restarts.
  r.counter_callback("opsync_reconcile_passes_total",
                     "Reconcile passes that ended, by connector and result (finished, failed).",
                     {"connector", "result"}, [&delivery](SampleSink& s) {
                       for (const Connector* c : delivery.connectors()) {
                         const ReconcileTotals t = delivery.reconcile_totals(c->name());
                         s.add({c->name(), "finished"}, static_cast<double>(t.finished));
                         s.add({c->name(), "failed"}, static_cast<double>(t.failed));
                       }
                     });
  auto per_field = [&delivery](auto member) {
    return [&delivery, member](SampleSink& s) {
      for (const Connector* c : delivery.connectors()) {
        const ReconcileTotals t = delivery.reconcile_totals(c->name());
        for (const auto& [field, n] : t.*member) s.add({c->name(), field}, static_cast<double>(n));
      }
    };
  };
  r.counter_callback("opsync_reconcile_drift_found_total",
                     "Fields a reconcile pass found differing at the vendor, by connector and "
                     "field.",
                     {"connector", "field"}, per_field(&ReconcileTotals::drift_found));
  r.counter_callback("opsync_reconcile_drift_repaired_total",
                     "Differing fields whose repair a reconcile pass queued in the outbox, by "
                     "connector and field (the push itself counts in opsync_pushes_total).",
                     {"connector", "field"}, per_field(&ReconcileTotals::drift_repaired));
  r.counter_callback(
      "opsync_reconcile_missing_at_vendor_total",
      "Mapped operators a reconcile pass found missing at the vendor (forgotten "
      "and pushed in full).",
      {"connector"}, [&delivery](SampleSink& s) {
        for (const Connector* c : delivery.connectors()) {
          s.add({c->name()},
                static_cast<double>(delivery.reconcile_totals(c->name()).missing_at_vendor));
        }
      });
  r.gauge_callback("opsync_reconcile_unknown_at_vendor",
                   "Vendor records opsync maps to no operator, in the last finished pass.",
                   {"connector"}, [&delivery](SampleSink& s) {
                     for (const Connector* c : delivery.connectors()) {
                       auto pass = delivery.reconcile_status(c->name());
                       if (pass && pass->state == PassState::finished) {
                         s.add({c->name()}, static_cast<double>(pass->counts.unknown_at_vendor));
                       }
                     }
                   });
  r.gauge_callback("opsync_reconcile_last_success_timestamp_seconds",
                   "When the connector's last reconcile pass finished (Unix time); absent before "
                   "the first.",
                   {"connector"}, [&store, &delivery](SampleSink& s) {
                     for (const Connector* c : delivery.connectors()) {
                       if (auto ms = store.reconcile_passes().last_success_ms(c->name())) {
                         s.add({c->name()}, static_cast<double>(*ms) / 1000.0);
                       }
                     }
                   });
  r.gauge_callback("opsync_ready", "1 when the store is open and partitions are assigned.",
                   [&consumer] { return consumer.assigned_partitions() > 0 ? 1.0 : 0.0; });
}

}  // namespace opsync
