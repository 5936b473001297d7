// The admin HTTP backend over the daemon's state: readiness, metrics, one operator's full view,
// resync and per-connector status.

#include "app/daemon_admin.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>

#include "dispatch/bulk_resync.h"
#include "dispatch/delivery.h"
#include "events/rfc3339.h"
#include "ingest/ingest_batch.h"
#include "kafka/kafka_consumer.h"
#include "metrics/registry.h"
#include "store/state_store.h"

namespace opsync {
namespace {

namespace json = boost::json;

std::string_view breaker_name(BreakerState s) {
  switch (s) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::half_open:
      return "half_open";
    case BreakerState::open:
      return "open";
  }
  return "unknown";
}

// A bulk resync's progress, as /status and POST /connectors/{name}/resync show it.
json::object bulk_resync_view(const BulkResyncState& s, std::int64_t pending) {
  return json::object{
      {"requested", format_rfc3339_ms(s.requested_ms)},
      {"operators", s.total},
      {"queued", s.queued},
      {"queueing_finished",
       s.finished_ms ? json::value(format_rfc3339_ms(*s.finished_ms)) : json::value(nullptr)},
      {"state", s.running()   ? "queueing"
                : pending > 0 ? "pushing"
                              : "done"},
  };
}

class DaemonAdminBackend final : public admin::AdminBackend {
 public:
  explicit DaemonAdminBackend(AdminSources s) : s_(std::move(s)) {}

  bool ready(std::string& why_not) override {
    why_not = s_.not_ready();
    return why_not.empty();
  }

  std::string metrics() override { return s_.registry.render(); }

  std::optional<json::object> operator_view(const std::string& id) override {
    auto op = s_.store.operators().load(id);
    if (!op) return std::nullopt;
    json::object out;
    out["id"] = op->id;
    out["revision"] =
        op->revision == CanonicalOperator::kNone ? json::value(nullptr) : json::value(op->revision);
    out["deleted"] = op->deleted;
    out["attributes"] = op->attributes;
    json::object vendors;
    for (const Connector* c : s_.delivery.connectors()) {
      json::object v;
      v["type"] = c->type();
      auto mapped = c->map(*op);
      v["desired"] = mapped.ok() ? json::value(mapped.fields) : json::value(nullptr);
      if (!mapped.ok()) v["mapping_error"] = mapped.error;
      auto shadow = s_.store.shadows().load(c->name(), id);
      v["shadow"] = shadow ? json::value(*shadow) : json::value(nullptr);
      auto vendor_id = s_.store.shadows().load_vendor_id(c->name(), id);
      v["vendor_id"] = vendor_id ? json::value(*vendor_id) : json::value(nullptr);
      if (auto e = s_.store.outbox().load_entry(c->name(), id)) {
        v["pending"] = json::object{{"generation", e->generation},
                                    {"attempts", e->attempts},
                                    {"next_attempt_ms", e->next_attempt_ms},
                                    {"last_error", e->last_error},
                                    {"full_resync", e->full_resync}};
      } else {
        v["pending"] = nullptr;
      }
      vendors[c->name()] = std::move(v);
    }
    out["connectors"] = std::move(vendors);
    return out;
  }

  admin::ResyncResult resync(const std::string& id,
                             const std::optional<std::string>& connector) override {
    admin::ResyncResult r;
    if (!s_.store.operators().load(id)) {
      r.status = admin::ResyncResult::Status::unknown_operator;
      return r;
    }
    ResyncQueued q = s_.delivery.resync(id, connector);
    if (q.unknown_connector) {
      r.status = admin::ResyncResult::Status::rejected;
      r.message = "no connector named '" + *connector + "'";
      return r;
    }
    r.connectors = std::move(q.connectors);
    spdlog::info("event=resync_requested operator={} connectors={}", id, r.connectors.size());
    return r;
  }

  json::object status() override {
    json::object out;
    const IngestCounts& s = s_.ingest;
    out["events"] = json::object{{"consumed", s.consumed},   {"applied", s.applied},
                                 {"unchanged", s.unchanged}, {"stale", s.stale},
                                 {"duplicate", s.duplicate}, {"invalid", s.invalid}};
    json::object conns;
    for (const Connector* c : s_.delivery.connectors()) {
      json::object v;
      v["type"] = c->type();
      {
        const DispatchCounters k = s_.delivery.counters(c->name());
        v["breaker"] = breaker_name(k.breaker);
        v["backlog"] = k.backlog;
        v["in_flight"] = k.in_flight;
        v["pushes"] = json::object{{"ok", k.pushes_ok},
                                   {"retry", k.pushes_retry},
                                   {"permanent", k.pushes_permanent},
                                   {"mapping_failed", k.mapping_errors}};
        // A vendor's pause of the whole connector (429, Retry-After), while it lasts: until when,
        // and what the vendor asked for in seconds (which may be beyond the bound applied).
        const bool paused = k.paused_until_ms != 0;
        v["paused_until"] =
            paused ? json::value(format_rfc3339_ms(k.paused_until_ms)) : json::value(nullptr);
        v["pause_requested_s"] =
            paused ? json::value(static_cast<double>(k.pause_requested_ms) / 1000.0)
                   : json::value(nullptr);
        v["pauses"] = k.pauses;
        // The vendor refuses the credential: pushes are held, one probe per interval.
        v["state"] = k.auth_failed ? "auth_failed" : "ok";
        v["auth_failed_since"] = k.auth_failed
                                     ? json::value(format_rfc3339_ms(k.auth_failed_since_ms))
                                     : json::value(nullptr);
        v["auth_failures"] = k.auth_failures;
      }
      auto limits = c->limits();
      v["rate_per_second"] = limits.rate_per_second;
      v["concurrency"] = limits.concurrency;
      // The most recent error among the pending pushes, if any.
      std::string last_error;
      std::int64_t last_at = -1;
      for (const auto& e : s_.store.outbox().load(c->name())) {
        if (!e.last_error.empty() && e.next_attempt_ms > last_at) {
          last_at = e.next_attempt_ms;
          last_error = e.last_error;
        }
      }
      v["last_error"] = last_error.empty() ? json::value(nullptr) : json::value(last_error);
      v["refused"] = s_.store.refusals().count(c->name());
      if (auto b = s_.bulk_resync.state(c->name())) {
        v["bulk_resync"] = bulk_resync_view(*b, s_.store.outbox().size(c->name()));
      } else {
        v["bulk_resync"] = nullptr;
      }
      conns[c->name()] = std::move(v);
    }
    out["connectors"] = std::move(conns);
    json::object lag;
    for (const auto& [p, n] : s_.consumer.lag()) lag[std::to_string(p)] = n;
    out["consumer_lag"] = std::move(lag);
    out["dead_letter_backlog"] = s_.store.dead_letters().backlog();
    return out;
  }

  admin::BulkResyncAnswer bulk_resync(const std::string& connector) override {
    admin::BulkResyncAnswer a;
    switch (s_.bulk_resync.request(connector)) {
      case BulkResync::Start::started:
        a.status = admin::BulkResyncAnswer::Status::started;
        break;
      case BulkResync::Start::unknown_connector:
        a.status = admin::BulkResyncAnswer::Status::unknown_connector;
        return a;
      case BulkResync::Start::already_running:
        a.status = admin::BulkResyncAnswer::Status::already_running;
        break;
    }
    if (auto b = s_.bulk_resync.state(connector)) {
      a.progress = bulk_resync_view(*b, s_.store.outbox().size(connector));
    }
    a.progress["connector"] = connector;
    return a;
  }

  std::optional<json::object> dead_letters(const admin::DeadLetterQuery& q) override {
    const std::int64_t total = s_.store.refusals().count(q.connector);
    if (total == 0 && !s_.delivery.find(q.connector)) return std::nullopt;
    const std::vector<Refusal> page = s_.store.refusals().list(q.connector, q.after, q.limit);
    json::array items;
    for (const Refusal& r : page) {
      items.push_back(json::object{
          {"operator_id", r.operator_id},
          {"at", format_rfc3339_ms(r.at_ms)},
          {"reason", r.reason},
          {"vendor_status", r.status == 0 ? json::value(nullptr) : json::value(r.status)},
          {"message", r.message},
          {"retry_queued", s_.store.outbox().load_entry(q.connector, r.operator_id).has_value()},
      });
    }
    json::object out{{"connector", q.connector}, {"total", total}, {"refused", std::move(items)}};
    out["next_after"] = page.size() == q.limit && !page.empty()
                            ? json::value(page.back().operator_id)
                            : json::value(nullptr);
    return out;
  }

  std::optional<json::object> retry_dead_letters(const std::string& connector) override {
    const std::optional<std::size_t> n = s_.delivery.retry_refused(connector);
    if (!n) return std::nullopt;
    return json::object{{"connector", connector}, {"queued", *n}};
  }

  admin::ResumeStatus resume(const std::string& connector) override {
    switch (s_.delivery.resume(connector)) {
      case ResumeResult::resumed:  // logged by the dispatcher (event=connector_resumed)
        return admin::ResumeStatus::resumed;
      case ResumeResult::unknown_connector:
        return admin::ResumeStatus::unknown_connector;
      case ResumeResult::not_paused:
        break;
    }
    return admin::ResumeStatus::not_paused;
  }

  admin::ReconcileStatus start_reconcile(const std::string& connector) override {
    switch (s_.delivery.reconcile(connector)) {
      case ReconcileStart::started:  // logged by the scheduler (event=reconcile_started)
        return admin::ReconcileStatus::started;
      case ReconcileStart::already_running:
        return admin::ReconcileStatus::already_running;
      case ReconcileStart::unknown_connector:
        return admin::ReconcileStatus::unknown_connector;
      case ReconcileStart::unavailable:
        break;
    }
    return admin::ReconcileStatus::unavailable;
  }

  std::optional<json::object> reconcile_view(const std::string& connector) override {
    const Connector* c = s_.delivery.find(connector);
    if (c == nullptr) return std::nullopt;
    const DeliveryLimits limits = c->limits();
    json::object out;
    out["connector"] = connector;
    out["interval_s"] = static_cast<double>(limits.reconcile_interval.count()) / 1000.0;
    out["rate_share"] = limits.background_share;
    auto time = [](std::int64_t ms) {
      return ms ? json::value(format_rfc3339_ms(ms)) : json::value(nullptr);
    };
    const auto last_success = s_.store.reconcile_passes().last_success_ms(connector);
    out["last_success"] = time(last_success.value_or(0));
    auto pass = s_.delivery.reconcile_status(connector);
    if (!pass) {
      out["pass"] = nullptr;
      return out;
    }
    const ReconcileCounts& k = pass->counts;
    json::object drifted;
    for (const auto& [field, n] : k.drifted) drifted[field] = n;
    json::array unknown_ids;
    for (const auto& id : k.unknown_ids) unknown_ids.emplace_back(id);
    out["pass"] = json::object{
        {"id", pass->id},
        {"state", to_string(pass->state)},
        {"trigger", pass->trigger},
        {"started", time(pass->started_ms)},
        {"finished", time(pass->finished_ms)},
        {"mode", pass->mode},
        {"records_read", k.read},
        {"in_step", k.in_step},
        {"drifted_operators", k.drifted_operators},
        {"drifted", std::move(drifted)},
        {"missing_at_vendor", k.missing_at_vendor},
        {"unknown_at_vendor", k.unknown_at_vendor},
        {"unknown_ids", std::move(unknown_ids)},
        {"repairs_queued", k.repairs_queued},
        {"not_compared", k.not_compared},
        {"error", pass->error.empty() ? json::value(nullptr) : json::value(pass->error)},
    };
    return out;
  }

 private:
  AdminSources s_;
};

}  // namespace

std::unique_ptr<admin::AdminBackend> make_admin_backend(AdminSources sources) {
  return std::make_unique<DaemonAdminBackend>(std::move(sources));
}

}  // namespace opsync
