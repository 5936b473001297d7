#include "dispatch/delivery.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>
#include <string_view>

#include "dispatch/connector_planner.h"
#include "reconcile/reconciler.h"
#include "store/state_store.h"

namespace opsync {

namespace asio = boost::asio;

/// One connector set: the connectors, their planners and a dispatcher over them (started by
/// install()).
struct Delivery::Set {
  std::vector<std::unique_ptr<Connector>> connectors;
  std::vector<std::unique_ptr<ConnectorPlanner>> planners;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<ReconcileScheduler> reconcile;

  std::vector<PushPlanner*> planner_ptrs() const {
    std::vector<PushPlanner*> out;
    for (const auto& p : planners) out.push_back(p.get());
    return out;
  }
};

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The durable marker of a connector instance in the running set (a counter; the name is older
// than its meaning: it was once set for good at an instance's first bootstrap).
constexpr std::string_view kRunningMarker = "connector_bootstrapped:";

void add_totals(DispatchCounters& into, const DispatchCounters& from) {
  into.pushes_ok += from.pushes_ok;
  into.pushes_retry += from.pushes_retry;
  into.pushes_permanent += from.pushes_permanent;
  into.mapping_errors += from.mapping_errors;
  into.skipped += from.skipped;
  into.pauses += from.pauses;
  into.auth_failures += from.auth_failures;
}

}  // namespace

Delivery::Delivery(asio::io_context& io, StateStore& store, Reconciler& reconciler, Options options)
    : io_(io), store_(store), reconciler_(reconciler), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = system_now_ms;
}

Delivery::~Delivery() {
  *alive_ = false;
  stop_reconcile();
  // The reconciler may outlive this object: it must not keep pointers to our planners.
  reconciler_.set_planners({});
  running_.reset();  // abandons in-flight pushes (their rows stay in the outbox)
}

std::unique_ptr<Delivery::Set> Delivery::make_set(
    std::vector<std::unique_ptr<Connector>> connectors) const {
  auto set = std::make_unique<Set>();
  set->connectors = std::move(connectors);
  for (auto& c : set->connectors) set->planners.push_back(std::make_unique<ConnectorPlanner>(*c));
  set->dispatcher = make_dispatcher(set->connectors);
  return set;
}

// Throws on duplicate names; touches neither the store nor the loop until start().
std::unique_ptr<Dispatcher> Delivery::make_dispatcher(
    const std::vector<std::unique_ptr<Connector>>& connectors) const {
  std::vector<Connector*> ptrs;
  for (const auto& c : connectors) ptrs.push_back(c.get());
  Dispatcher::Options o;
  o.now_ms = options_.now_ms;
  o.on_dead_letter = options_.on_dead_letter;
  o.on_push = options_.on_push;
  o.auth_probe_interval = options_.auth_probe_interval;
  return std::make_unique<Dispatcher>(io_, store_, std::move(ptrs), std::move(o));
}

std::set<std::string> Delivery::marked_running() {
  std::set<std::string> out;
  for (const auto& [name, value] : store_.progress().load_counters()) {
    if (name.starts_with(kRunningMarker)) out.insert(name.substr(kRunningMarker.size()));
  }
  return out;
}

// A connector instance that joins the running set without its marker (new to this store, or
// enabled again after a reload or a restart left it out) is caught up: every operator whose
// mapped record differs from that connector's shadow gets a push, so adding a vendor or turning
// one back on brings it up to date without waiting for each operator to change. A deleted
// operator is queued only when the shadow shows the vendor holds it (to deactivate or remove
// it). One transaction for the whole set: either every such connector is caught up and marked
// or none is. Returns the names it marked.
std::vector<std::string> Delivery::bootstrap(const Set& set) {
  const std::set<std::string> running = marked_running();
  std::vector<ConnectorPlanner*> fresh;
  for (const auto& p : set.planners) {
    if (!running.contains(p->connector_name())) fresh.push_back(p.get());
  }
  if (fresh.empty()) return {};
  std::vector<std::int64_t> queued(fresh.size(), 0);
  const std::int64_t now = options_.now_ms();
  Transaction tx(store_);
  store_.operators().for_each([&](const CanonicalOperator& op) {
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      const std::string& name = fresh[i]->connector_name();
      if (op.deleted && !store_.shadows().load(name, op.id)) continue;  // nothing to deactivate
      if (fresh[i]->needs_push(op, store_)) {
        store_.outbox().upsert(name, op.id, now);
        ++queued[i];
      }
    }
  });
  std::vector<std::string> marked;
  for (const auto* p : fresh) {
    store_.progress().add_counter(std::string(kRunningMarker) + p->connector_name(), 1);
    marked.push_back(p->connector_name());
  }
  tx.commit();
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    spdlog::info("event=connector_bootstrapped connector={} pushes_queued={}",
                 fresh[i]->connector_name(), queued[i]);
  }
  return marked;
}

void Delivery::purge_removed(const Set& set) {
  std::set<std::string> configured;
  for (const auto& c : set.connectors) configured.insert(c->name());
  std::vector<std::string> removed;
  try {
    for (const std::string& name : marked_running()) {
      if (!configured.contains(name)) removed.push_back(name);
    }
  } catch (const std::exception& e) {
    spdlog::error("event=connector_purge_failed error=\"{}\"", e.what());
    return;
  }
  purge(removed);
}

// The pushes of a connector that no longer runs would never be made: they go, with its marker.
// Its shadows, vendor ids and doubts stay (a re-enable diffs against them).
void Delivery::purge(const std::vector<std::string>& names) {
  if (names.empty()) return;
  std::vector<std::int64_t> purged;
  try {
    Transaction tx(store_);
    for (const std::string& name : names) {
      purged.push_back(store_.outbox().purge(name));
      store_.progress().remove_counter(std::string(kRunningMarker) + name);
    }
    tx.commit();
  } catch (const std::exception& e) {
    // The markers stay with the rows: the next start or reload purges them.
    spdlog::error("event=connector_purge_failed error=\"{}\"", e.what());
    return;
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    spdlog::info("event=connector_removed connector={} purged_pushes={}", names[i], purged[i]);
  }
}

// Points the reconciler at the set's planners and starts its dispatcher. On an exception the
// set's connectors are kept alive (a partly started dispatcher may have spawned pumps) and
// nothing is installed.
void Delivery::install(std::unique_ptr<Set> set) {
  try {
    set->dispatcher->start();
  } catch (...) {
    set->dispatcher.reset();
    for (auto& c : set->connectors) retired_connectors_.push_back(std::move(c));
    throw;
  }
  reconciler_.set_planners(set->planner_ptrs());
  for (const auto& c : set->connectors) {
    spdlog::info("event=connector_started connector={} type={}", c->name(), c->type());
  }
  std::vector<Connector*> ptrs;
  for (const auto& c : set->connectors) ptrs.push_back(c.get());
  ReconcileOptions o = options_.reconcile;
  o.now_ms = options_.now_ms;
  o.notify = [this, alive = alive_](const std::string& connector, const std::string& op) {
    if (*alive) notify(connector, op);
  };
  o.on_end = [this, alive = alive_](const ReconcilePassRow& pass) {
    if (*alive) count_pass(pass);
  };
  set->reconcile = std::make_unique<ReconcileScheduler>(io_, store_, std::move(ptrs), std::move(o));
  running_ = std::move(set);
  running_->reconcile->start();
}

void Delivery::count_pass(const ReconcilePassRow& pass) {
  ReconcileTotals& t = reconcile_totals_[pass.connector];
  if (pass.state == PassState::finished) ++t.finished;
  if (pass.state == PassState::failed) ++t.failed;
  for (const auto& [field, n] : pass.counts.drifted) {
    t.drift_found[field] += static_cast<std::uint64_t>(n);
    t.drift_repaired[field] += static_cast<std::uint64_t>(n);
  }
  t.missing_at_vendor += static_cast<std::uint64_t>(pass.counts.missing_at_vendor);
}

void Delivery::stop_reconcile() {
  if (running_ && running_->reconcile) running_->reconcile->stop();
}

// Adds the running dispatcher's totals to the retired ones and destroys it.
void Delivery::retire_running() {
  if (!running_ || !running_->dispatcher) return;
  for (const auto& c : running_->connectors) {
    add_totals(retired_totals_[c->name()], running_->dispatcher->counters(c->name()));
  }
  running_->dispatcher.reset();
}

void Delivery::start(std::vector<std::unique_ptr<Connector>> connectors) {
  auto set = make_set(std::move(connectors));
  bootstrap(*set);
  install(std::move(set));
  purge_removed(*running_);
}

void Delivery::replace(std::vector<std::unique_ptr<Connector>> next,
                       std::chrono::steady_clock::time_point drain_deadline,
                       std::function<void(const std::string& error)> done) {
  if (replacing_) {
    done("a reload is already in progress");
    return;
  }
  if (drained_) {
    done("delivery has stopped");
    return;
  }
  std::unique_ptr<Set> set;
  std::vector<std::string> marked;
  try {
    set = make_set(std::move(next));
    marked = bootstrap(*set);
  } catch (const std::exception& e) {
    // Nothing was touched: the running set never stopped.
    done(e.what());
    return;
  }
  replacing_ = true;
  asio::co_spawn(
      io_,
      [this, drain_deadline]() -> asio::awaitable<void> {
        // Passes stop first; the next set resumes them from their cursor.
        stop_reconcile();
        if (running_ && running_->dispatcher) co_await running_->dispatcher->drain(drain_deadline);
      },
      [this, alive = alive_, set = std::move(set), marked = std::move(marked),
       done = std::move(done)](std::exception_ptr e) mutable {
        if (!*alive) {
          done("the daemon is stopping");
          return;
        }
        replacing_ = false;
        std::string error;
        retire_running();
        auto previous = std::move(running_);
        try {
          if (e) std::rethrow_exception(e);
          install(std::move(set));
          if (previous) {
            for (auto& c : previous->connectors) retired_connectors_.push_back(std::move(c));
          }
          spdlog::info("event=delivery_replaced connectors={}", running_->connectors.size());
          purge_removed(*running_);
        } catch (const std::exception& ex) {
          error = ex.what();
          // The previous dispatcher was drained: run the previous connectors again under a new
          // one. If the store cannot even do that, the exception ends the process (the outbox
          // still holds every pending push).
          if (previous) {
            previous->dispatcher = make_dispatcher(previous->connectors);
            install(std::move(previous));
          }
          spdlog::error("event=delivery_replace_failed error=\"{}\"", error);
          // The connectors the failed set caught up are not running after all: a later set that
          // holds them catches them up again.
          std::vector<std::string> not_running;
          for (const std::string& name : marked) {
            if (!find(name)) not_running.push_back(name);
          }
          purge(not_running);
        }
        done(error);
      });
}

void Delivery::notify(const std::string& connector, const std::string& operator_id) {
  if (running_ && running_->dispatcher) running_->dispatcher->notify(connector, operator_id);
}

ResyncQueued Delivery::resync(const std::string& operator_id,
                              const std::optional<std::string>& connector) {
  ResyncQueued r;
  std::vector<const Connector*> targets;
  for (const Connector* c : connectors()) {
    if (!connector || c->name() == *connector) targets.push_back(c);
  }
  if (connector && targets.empty()) {
    r.unknown_connector = true;
    return r;
  }
  const std::int64_t now = options_.now_ms();
  Transaction tx(store_);
  for (const auto* c : targets) store_.outbox().upsert(c->name(), operator_id, now, true);
  tx.commit();
  for (const auto* c : targets) {
    r.connectors.push_back(c->name());
    notify(c->name(), operator_id);
  }
  return r;
}

std::optional<std::size_t> Delivery::retry_refused(const std::string& connector) {
  if (!find(connector)) return std::nullopt;
  constexpr std::size_t kPage = 1000;
  const std::int64_t now = options_.now_ms();
  std::vector<std::string> queued;
  Transaction tx(store_);
  for (std::string after;;) {
    const std::vector<Refusal> page = store_.refusals().list(connector, after, kPage);
    for (const Refusal& r : page) {
      // A refused operator the store no longer holds has nothing to push.
      if (!store_.operators().load(r.operator_id)) continue;
      store_.outbox().upsert(connector, r.operator_id, now, true);
      queued.push_back(r.operator_id);
    }
    if (page.size() < kPage) break;
    after = page.back().operator_id;
  }
  tx.commit();
  for (const std::string& op : queued) notify(connector, op);
  spdlog::info("event=dead_letter_retry connector={} queued={}", connector, queued.size());
  return queued.size();
}

ResumeResult Delivery::resume(const std::string& connector) {
  if (!running_ || !running_->dispatcher || !find(connector)) {
    return ResumeResult::unknown_connector;
  }
  return running_->dispatcher->resume(connector);
}

ReconcileStart Delivery::reconcile(const std::string& connector) {
  if (!running_ || !running_->reconcile || !find(connector)) {
    return ReconcileStart::unknown_connector;
  }
  // A reload or shutdown under way stopped the set's passes; the next set takes requests.
  if (replacing_ || drained_) return ReconcileStart::unavailable;
  return running_->reconcile->start_now(connector);
}

std::optional<ReconcilePassRow> Delivery::reconcile_status(const std::string& connector) const {
  return store_.reconcile_passes().latest(connector);
}

ReconcileTotals Delivery::reconcile_totals(const std::string& connector) const {
  auto it = reconcile_totals_.find(connector);
  return it == reconcile_totals_.end() ? ReconcileTotals{} : it->second;
}

asio::awaitable<void> Delivery::drain(std::chrono::steady_clock::time_point deadline) {
  drained_ = true;
  stop_reconcile();
  // A replace under way drains the running dispatcher itself; let it finish first (one drain at
  // a time per dispatcher), then drain whatever set it left running.
  asio::steady_timer wait(io_);
  while (replacing_) {
    wait.expires_after(std::chrono::milliseconds(10));
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (running_ && running_->dispatcher) co_await running_->dispatcher->drain(deadline);
}

std::vector<const Connector*> Delivery::connectors() const {
  std::vector<const Connector*> out;
  if (running_) {
    for (const auto& c : running_->connectors) out.push_back(c.get());
  }
  return out;
}

const Connector* Delivery::find(const std::string& name) const {
  for (const Connector* c : connectors()) {
    if (c->name() == name) return c;
  }
  return nullptr;
}

std::vector<std::string> Delivery::all_connector_names() const {
  std::set<std::string> names;
  for (const Connector* c : connectors()) names.insert(c->name());
  for (const auto& [name, totals] : retired_totals_) names.insert(name);
  return {names.begin(), names.end()};
}

DispatchCounters Delivery::counters(const std::string& connector) const {
  // The running dispatcher answers zeros for a name it does not run.
  DispatchCounters k;
  if (running_ && running_->dispatcher) k = running_->dispatcher->counters(connector);
  if (auto it = retired_totals_.find(connector); it != retired_totals_.end()) {
    add_totals(k, it->second);
  }
  return k;
}

}  // namespace opsync
