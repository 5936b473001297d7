#pragma once
// What the admin HTTP server asks of the daemon. The daemon implements it; the server calls it on
// the event loop, one request at a time, and never after AdminServer::stop().

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace opsync::admin {

/// The answer to POST /operators/{id}/resync.
struct ResyncResult {
  enum class Status {
    accepted,          ///< 202: a full push is queued for `connectors`
    unknown_operator,  ///< 404
    rejected,          ///< 400: `message` says why (e.g. an unknown connector name)
  };
  Status status = Status::accepted;
  std::vector<std::string> connectors;  ///< accepted: the connectors a full push was queued for
  std::string message;                  ///< rejected: shown to the caller as is
};

/// The answer to POST /connectors/{name}/resume.
enum class ResumeStatus {
  resumed,            ///< 202: the vendor's pause is over, the connector's waiting pushes are due
  unknown_connector,  ///< 404
  not_paused,         ///< 409: nothing to resume
};

/// The answer to POST /connectors/{name}/resync.
struct BulkResyncAnswer {
  enum class Status {
    started,            ///< 202
    unknown_connector,  ///< 404
    already_running,    ///< 409: the last one is still queueing
  };
  Status status = Status::started;
  boost::json::object progress;  ///< the bulk resync's state (as in /status)
};

/// Which refusals GET /dead-letters lists: `connector`'s, from the first operator id after
/// `after`, at most `limit`.
struct DeadLetterQuery {
  std::string connector;
  std::string after;
  std::size_t limit = 100;
};

/// The answer to POST /connectors/{name}/reconcile.
enum class ReconcileStatus {
  started,            ///< 202: a reconcile pass is running now
  unknown_connector,  ///< 404
  already_running,    ///< 409: a pass of this connector is running
  unavailable,        ///< 503: a reload or shutdown is under way
};

/// May throw: the server answers 500 and logs the exception's message (so keep secrets out of it).
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;

  /// GET /readyz: true when the store is open and the consumer is subscribed and assigned;
  /// otherwise false with `why_not` set (503, shown to the caller).
  virtual bool ready(std::string& why_not) = 0;
  /// GET /metrics: the Prometheus text exposition (normally metrics::Registry::render()).
  virtual std::string metrics() = 0;
  /// GET /operators/{id} (id percent-decoded): the canonical record, each vendor's shadow and
  /// mapping, pending pushes with attempt count and last error; nullopt if unknown (404).
  virtual std::optional<boost::json::object> operator_view(const std::string& id) = 0;
  /// POST /operators/{id}/resync[?connector=NAME]: queue a push of the full mapped record to
  /// every connector, or to `connector` only.
  virtual ResyncResult resync(const std::string& id,
                              const std::optional<std::string>& connector) = 0;
  /// GET /status: per connector, breaker state, backlog, rate, pause and last error.
  virtual boost::json::object status() = 0;
  /// POST /connectors/{name}/resume (name percent-decoded): end the pause a vendor answer (429,
  /// Retry-After) put on the connector.
  virtual ResumeStatus resume(const std::string& connector) = 0;
  /// POST /connectors/{name}/resync: queue a full push of every operator to the connector,
  /// paced by its rate limit.
  virtual BulkResyncAnswer bulk_resync(const std::string& connector) = 0;
  /// GET /dead-letters?connector=NAME: the (operator, connector) pairs whose last push was
  /// refused, with the reason and the vendor's words; nullopt for a connector that has neither
  /// refusals nor a running instance (404).
  virtual std::optional<boost::json::object> dead_letters(const DeadLetterQuery& query) = 0;
  /// POST /dead-letters/retry?connector=NAME: re-queue every refused pair of the running
  /// connector from the current canonical record; nullopt if it is not running (404).
  virtual std::optional<boost::json::object> retry_dead_letters(const std::string& connector) = 0;

  // Reconcile passes (docs/operations.md, "Drift detection and repair"). The defaults answer
  // "unknown connector", for backends without delivery.

  /// POST /connectors/{name}/reconcile: start a reconcile pass of the connector now.
  virtual ReconcileStatus start_reconcile(const std::string& /*connector*/) {
    return ReconcileStatus::unknown_connector;
  }
  /// GET /connectors/{name}/reconcile: the running or last pass (`"pass": null` before the
  /// first); nullopt for an unknown connector (404).
  virtual std::optional<boost::json::object> reconcile_view(const std::string& /*connector*/) {
    return std::nullopt;
  }
};

}  // namespace opsync::admin
