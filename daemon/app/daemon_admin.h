#pragma once
// The admin HTTP backend over the daemon's parts: readiness, metrics, one operator's full view,
// resyncs (one operator, or a connector's whole roster), refused pushes and their retry, and
// per-connector status. It reads the parts it is given, nothing else of the daemon.

#include <functional>
#include <memory>
#include <string>

#include "admin/admin_backend.h"

namespace opsync {

class BulkResync;
class Delivery;
class KafkaConsumer;
class StateStore;
struct IngestCounts;

namespace metrics {
class Registry;
}

/// Each part must outlive the backend (the daemon stops the admin server before closing any).
struct AdminSources {
  metrics::Registry& registry;
  StateStore& store;
  Delivery& delivery;  ///< read, except resync(), resume() and retry_refused()
  BulkResync& bulk_resync;
  const KafkaConsumer& consumer;
  const IngestCounts& ingest;
  /// Empty when the daemon is ready to serve (GET /readyz), else why not.
  std::function<std::string()> not_ready;
};

std::unique_ptr<admin::AdminBackend> make_admin_backend(AdminSources sources);

}  // namespace opsync
