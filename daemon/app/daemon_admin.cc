// The admin HTTP backend over the daemon's state: readiness, metrics, one operator's full view,
// resync and per-connector status.

#include <boost/json/array.hpp>

#include "app/daemon_impl.h"

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

class DaemonAdminBackend final : public admin::AdminBackend {
 public:
  explicit DaemonAdminBackend(Daemon::Impl& d) : d_(d) {}

  bool ready(std::string& why_not) override {
    if (!d_.store) {
      why_not = "the state store is not open";
    } else if (!d_.consumer || !d_.consumer->subscribed()) {
      why_not = "the consumer is not subscribed";
    } else if (d_.consumer->assigned_partitions() == 0) {
      why_not = "no partition is assigned yet";
    } else if (d_.stopping) {
      why_not = "stopping";
    } else {
      return true;
    }
    return false;
  }

  std::string metrics() override { return d_.registry.render(); }

  std::optional<json::object> operator_view(const std::string& id) override {
    if (!d_.store) return std::nullopt;
    auto op = d_.store->operators().load(id);
    if (!op) return std::nullopt;
    json::object out;
    out["id"] = op->id;
    out["revision"] =
        op->revision == CanonicalOperator::kNone ? json::value(nullptr) : json::value(op->revision);
    out["deleted"] = op->deleted;
    out["attributes"] = op->attributes;
    json::object vendors;
    for (const auto& c : d_.connectors) {
      json::object v;
      v["type"] = c->type();
      auto mapped = c->map(*op);
      v["desired"] = mapped.ok() ? json::value(mapped.fields) : json::value(nullptr);
      if (!mapped.ok()) v["mapping_error"] = mapped.error;
      auto shadow = d_.store->shadows().load(c->name(), id);
      v["shadow"] = shadow ? json::value(*shadow) : json::value(nullptr);
      auto vendor_id = d_.store->shadows().load_vendor_id(c->name(), id);
      v["vendor_id"] = vendor_id ? json::value(*vendor_id) : json::value(nullptr);
      if (auto e = d_.store->outbox().load_entry(c->name(), id)) {
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
    if (!d_.store || !d_.store->operators().load(id)) {
      r.status = admin::ResyncResult::Status::unknown_operator;
      return r;
    }
    std::vector<const Connector*> targets;
    for (const auto& c : d_.connectors) {
      if (!connector || c->name() == *connector) targets.push_back(c.get());
    }
    if (connector && targets.empty()) {
      r.status = admin::ResyncResult::Status::rejected;
      r.message = "no connector named '" + *connector + "'";
      return r;
    }
    Transaction tx(*d_.store);
    for (const auto* c : targets) d_.store->outbox().upsert(c->name(), id, now_ms(), true);
    tx.commit();
    for (const auto* c : targets) {
      r.connectors.push_back(c->name());
      if (d_.dispatcher) d_.dispatcher->notify(c->name(), id);
    }
    spdlog::info("event=resync_requested operator={} connectors={}", id, r.connectors.size());
    return r;
  }

  json::object status() override {
    json::object out;
    const auto& s = d_.stats.ingest;
    out["events"] = json::object{{"consumed", s.consumed},   {"applied", s.applied},
                                 {"unchanged", s.unchanged}, {"stale", s.stale},
                                 {"duplicate", s.duplicate}, {"invalid", s.invalid}};
    json::object conns;
    for (const auto& c : d_.connectors) {
      json::object v;
      v["type"] = c->type();
      if (d_.dispatcher) {
        auto k = d_.dispatcher->counters(c->name());
        v["breaker"] = breaker_name(k.breaker);
        v["backlog"] = k.backlog;
        v["in_flight"] = k.in_flight;
        v["pushes"] = json::object{{"ok", k.pushes_ok},
                                   {"retry", k.pushes_retry},
                                   {"permanent", k.pushes_permanent},
                                   {"mapping_failed", k.mapping_errors}};
      }
      auto limits = c->limits();
      v["rate_per_second"] = limits.rate_per_second;
      v["concurrency"] = limits.concurrency;
      // The most recent error among the pending pushes, if any.
      std::string last_error;
      std::int64_t last_at = -1;
      for (const auto& e : d_.store->outbox().load(c->name())) {
        if (!e.last_error.empty() && e.next_attempt_ms > last_at) {
          last_at = e.next_attempt_ms;
          last_error = e.last_error;
        }
      }
      v["last_error"] = last_error.empty() ? json::value(nullptr) : json::value(last_error);
      conns[c->name()] = std::move(v);
    }
    out["connectors"] = std::move(conns);
    json::object lag;
    if (d_.consumer) {
      for (const auto& [p, n] : d_.consumer->lag()) lag[std::to_string(p)] = n;
    }
    out["consumer_lag"] = std::move(lag);
    out["dead_letter_backlog"] = d_.store ? d_.store->dead_letters().backlog() : 0;
    return out;
  }

 private:
  Daemon::Impl& d_;
};

}  // namespace

std::unique_ptr<admin::AdminBackend> make_admin_backend(Daemon::Impl& d) {
  return std::make_unique<DaemonAdminBackend>(d);
}

void Daemon::Impl::start_admin() {
  admin_backend = make_admin_backend(*this);
  admin::AdminServerOptions options;
  options.listen = config.admin.listen;
  if (config.admin.bearer_token) options.bearer_token = config.admin.bearer_token->reveal();
  admin = std::make_unique<admin::AdminServer>(io, *admin_backend, registry, options);
  admin->start();
  spdlog::info("event=admin_listening address={} port={}", config.admin.listen, admin->port());
}

}  // namespace opsync
