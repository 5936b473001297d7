#pragma once
// The contract between the dispatcher and one connector instance (one configured vendor
// endpoint). A connector maps the canonical record to the vendor's fields (pure, no I/O) and
// performs the vendor calls of one push. Everything else (diffing against the shadow, lanes,
// retries, rate limits, the circuit breaker, dead letters) belongs to the dispatcher.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/circuit_breaker.h"
#include "common/http_message.h"
#include "common/retry_policy.h"
#include "model/canonical_operator.h"

namespace opsync {

class RequestBudget;  // common/request_budget.h

/// What a push does when the canonical operator is deleted.
enum class DeletePolicy {
  deactivate,  ///< the default: push the record with the vendor's "inactive" flag
  remove,      ///< delete the vendor's operator where its API supports it
};

/// How a connector clears a field the vendor holds but the canonical record no longer has.
enum class ClearStyle {
  null_value,    ///< send the field as JSON null
  empty_string,  ///< send "" (vendors that treat null as "unchanged")
  unsupported,   ///< the vendor cannot clear: the field is left as it is
};

/// The result of mapping a record: the vendor's desired fields, or why this record cannot be
/// mapped (a per-push error, e.g. "team 'vip' has no mapping in connectors.glia_eu.teams").
struct MapResult {
  boost::json::object fields;
  std::string error;  ///< empty on success

  bool ok() const { return error.empty(); }
  static MapResult failure(std::string message) { return {{}, std::move(message)}; }
};

/// One push handed to Connector::push.
struct PushContext {
  std::string operator_id;
  /// The vendor's id for this operator, if known (learned from an earlier push, or from the
  /// event's `external_ids[<instance name>]`). nullopt: the connector must create or look up.
  std::optional<std::string> vendor_id;
  /// Fields to send: those that differ from the shadow (clears per clear_style()), plus the
  /// connector's required fields. Never empty for a push that is not a delete.
  boost::json::object changed;
  /// The full mapped record (for vendors that need a full representation, e.g. on create).
  boost::json::object desired;
  bool deleted = false;
  /// Retries already made for this push (0 on the first attempt).
  std::int64_t attempt = 0;
  /// An earlier attempt may have reached the vendor without an answer (reset, timeout, 5xx, the
  /// daemon stopped mid-push): it may have been applied. A connector about to create must look
  /// for the record first (by whatever natural key the vendor allows) instead of creating again.
  bool outcome_unknown = false;
  /// Whether a vendor id is already this connector's id of another operator. A connector that
  /// finds a lost create by a key that is not unique (a name) must not adopt such a record.
  /// Unset: no id is known to be taken.
  std::function<bool(std::string_view vendor_id)> vendor_id_taken;
};

enum class PushOutcome {
  ok,         ///< the vendor accepted the push
  retry,      ///< transient: try again later (network, timeout, 408, 425, 429, 5xx, auth outage)
  permanent,  ///< the vendor rejected it; retrying the same values cannot succeed
};

std::string_view to_string(PushOutcome outcome);

/// What a push did. Connectors fill it from the vendor's answer (see push_result_from_http).
struct PushResult {
  PushOutcome outcome = PushOutcome::ok;
  unsigned status = 0;  ///< the vendor's HTTP status of the deciding call; 0 if none
  /// The vendor's own error message (or the transport error), for logs and dead letters.
  std::string message;
  /// Wait at least this long before the next call (Retry-After, rate-limit reset).
  std::optional<std::chrono::milliseconds> retry_after;
  /// What the vendor asked for, before BackoffConfig::max_delay bounded it into retry_after (for
  /// logs and /status). nullopt: the same as retry_after.
  std::optional<std::chrono::milliseconds> requested_retry_after;
  /// The whole connector should pause for retry_after (the vendor's quota is spent, e.g. 429),
  /// not only this operator's lane.
  bool throttle_connector = false;
  /// Counts as a failure for the circuit breaker (vendor unreachable, 5xx, timeouts). A 4xx
  /// proves the vendor is up and does not count.
  bool vendor_failure = false;
  /// The vendor refused the connector's credential (401 after the one refresh, 403, or the
  /// token endpoint's refusal): no push of this connector can succeed until the credential is
  /// fixed. The dispatcher puts the connector into `auth_failed` and holds its pushes (nothing
  /// is dead-lettered); the outcome is left as classified (permanent).
  bool credential_refused = false;
  /// The vendor id learned by this push (after a create or a lookup), if any.
  std::optional<std::string> vendor_id;
  /// The vendor answered that it has no operator under PushContext::vendor_id (a 404 that means
  /// exactly that for this vendor): the id is dead. The dispatcher forgets it and the shadow and
  /// pushes once more without an id, so the connector resolves the operator again (lookup or
  /// create) and sends the full record. Set only for an id the push was given, never for one the
  /// connector resolved itself.
  bool vendor_id_gone = false;
  /// The fields the vendor acknowledged (its answer, where it returns the record). nullopt
  /// means "everything in PushContext::changed".
  std::optional<boost::json::object> acknowledged;
  /// The deciding request and response, for the dead-letter record (redacted by the
  /// dispatcher before it is stored).
  std::optional<HttpRequest> request;
  std::string response_body;
};

/// One operator as the vendor holds it (read back by a reconcile pass): the vendor's id and its
/// values under map()'s field names and in map()'s forms (E.164 phones, IANA zone names, sets as
/// sorted arrays, numbers as numbers even where the vendor answers strings), so that a field
/// the vendor holds in step compares equal to the mapped canonical value (Connector::in_step).
/// A field the vendor does not return (write-only, or not in its answer) is absent.
struct VendorRecord {
  std::string vendor_id;
  boost::json::object fields;
};

/// The answer of Connector::list_operators or Connector::read_operator.
struct ReadResult {
  enum class Status {
    ok,           ///< `records` holds the page (list) or the one record (read)
    not_found,    ///< read: the vendor has no operator with that id (404 on a stored id)
    unsupported,  ///< the vendor has no such call, or refused it: read one id at a time instead
    failed,       ///< the call failed: `failure` says how (outcome retry or permanent)
  };
  Status status = Status::ok;
  std::vector<VendorRecord> records;
  /// list: the cursor to pass for the next page; nullopt on the last page.
  std::optional<std::string> next_page;
  /// status failed: the classified answer (status, vendor's message, retry_after, throttle).
  PushResult failure;

  static ReadResult unsupported_call() {
    ReadResult r;
    r.status = Status::unsupported;
    return r;
  }
};

/// Per-connector delivery limits (read from the connector's settings).
struct DeliveryLimits {
  std::size_t concurrency = 8;  ///< lanes with a request in flight at once
  /// Token-bucket refill: vendor HTTP requests per second (every request of the connector,
  /// lookups, page walks and token calls included, when it meters them: request_budget()).
  double rate_per_second = 20.0;
  std::uint32_t burst = 20;  ///< token-bucket size
  BackoffConfig backoff{};
  CircuitBreakerConfig breaker{};
  /// The share of rate_per_second that background requests (RequestPriority::background:
  /// reconcile passes, bulk resyncs) may use, in (0, 1]. Live pushes always keep priority.
  double background_share = 0.25;
  /// Time between the starts of two periodic reconcile passes; zero: no periodic passes (an
  /// admin request still starts one).
  std::chrono::milliseconds reconcile_interval{std::chrono::hours(4)};
};

/// One configured connector instance. Used only on the event loop's thread.
class Connector {
 public:
  virtual ~Connector() = default;

  /// The instance name: the key under `connectors:` and in an event's `external_ids`.
  virtual const std::string& name() const = 0;
  /// The connector type (`glia`, `plugchat`, ...).
  virtual std::string_view type() const = 0;

  /// Pure: the vendor's desired fields for `op`. Must not perform I/O and must be deterministic.
  virtual MapResult map(const CanonicalOperator& op) const = 0;
  /// Fields the vendor's API needs on every call (sent even when unchanged).
  virtual const std::vector<std::string>& required_fields() const;
  virtual ClearStyle clear_style() const { return ClearStyle::null_value; }
  virtual DeletePolicy delete_policy() const { return DeletePolicy::deactivate; }
  virtual DeliveryLimits limits() const { return {}; }
  /// The budget every HTTP request of this connector passes through (built from limits() where
  /// the connector is built), or nullptr when the connector meters none of its requests. The
  /// dispatcher pauses it on a 429 (every request of the connector waits, background ones too)
  /// and, when it is nullptr, takes one token of its own bucket per push instead.
  virtual RequestBudget* request_budget() { return nullptr; }

  /// Performs the vendor calls of one push. Never throws: every failure is a PushResult. A 401
  /// is the connector's to handle (refresh credentials once, see send_with_auth).
  virtual boost::asio::awaitable<PushResult> push(PushContext context) = 0;

  /// Reads one page of the vendor's operator list (`page`: nullopt for the first page, else the
  /// ReadResult::next_page of the last one). Its requests carry RequestPriority::background.
  /// Never throws. Default: unsupported (the vendor has no list call).
  virtual boost::asio::awaitable<ReadResult> list_operators(std::optional<std::string> page);
  /// Reads the operator the vendor knows as `vendor_id` (RequestPriority::background). Never
  /// throws. not_found: the vendor no longer has it. Default: unsupported.
  virtual boost::asio::awaitable<ReadResult> read_operator(std::string vendor_id);
  /// Whether the vendor's value of `field` (a VendorRecord field) is in step with `desired`
  /// (map()'s value). Default: JSON equality; a connector overrides it where the vendor
  /// normalises beyond what map() does (case, order of a set).
  virtual bool in_step(std::string_view field, const boost::json::value& vendor,
                       const boost::json::value& desired) const;
};

/// A push the vendor will never accept as it is (a dead letter with `message`).
inline PushResult permanent_result(std::string message) {
  PushResult out;
  out.outcome = PushOutcome::permanent;
  out.message = std::move(message);
  return out;
}

/// Classifies a vendor call's result into a PushResult: 2xx ok; network errors, timeouts, 408,
/// 425, 429 and 5xx retry (with the server's Retry-After / rate-limit reset); any other status is
/// permanent. `message` is the vendor's body (cut to 2 KiB) or the transport error.
PushResult push_result_from_http(const HttpResult& result, const HttpRequest& request,
                                 std::chrono::system_clock::time_point now,
                                 const BackoffConfig& backoff = {});

}  // namespace opsync
