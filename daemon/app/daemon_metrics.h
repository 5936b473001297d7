#pragma once
// The daemon's Prometheus metrics (docs/operations.md, "Metrics"). They read the parts they are
// given through their read-only interfaces; nothing else of the daemon.

#include <chrono>
#include <string>

#include "framework/connector.h"
#include "metrics/family.h"

namespace opsync {

class Delivery;
class KafkaConsumer;
class StateStore;
struct IngestCounts;

namespace metrics {
class Registry;
}

/// opsync_pushes_total and opsync_push_duration_seconds, fed by Delivery's on_push. Registered at
/// construction, so they exist before the first push.
class PushMetrics {
 public:
  explicit PushMetrics(metrics::Registry& registry);
  void observe(const std::string& connector, PushOutcome outcome,
               std::chrono::steady_clock::duration took);

 private:
  metrics::Family<metrics::Counter>& pushes_;
  metrics::Family<metrics::Histogram>& duration_;
};

/// What the metric callbacks read. Each must stay valid while the registry can be rendered (the
/// daemon stops its admin server, the only reader, before closing any of them).
struct MetricSources {
  const Delivery& delivery;
  const KafkaConsumer& consumer;
  StateStore& store;
  const IngestCounts& ingest;
};

/// Registers the callback metrics (events, retries, dead letters, backlog, breaker, lag...).
void register_daemon_metrics(metrics::Registry& registry, MetricSources sources);

}  // namespace opsync
