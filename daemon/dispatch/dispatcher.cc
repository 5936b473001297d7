#include "dispatch/dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <unordered_map>

#include "common/redact.h"
#include "common/request_budget.h"
#include "common/retry_policy.h"
#include "dispatch/dead_letter.h"
#include "dispatch/push_outcome.h"
#include "dispatch/push_plan.h"
#include "events/rfc3339.h"
#include "store/state_store.h"

namespace opsync {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Only the state store throws on the data path (I/O or corruption). That is fatal: rethrow out
// of io_context::run() so the daemon stops; the outbox still holds every pending push.
void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}
}  // namespace

struct Lane {
  bool in_flight = false;
  bool queued = false;   // in Channel::ready
  bool recheck = false;  // notified while in flight: re-read the outbox entry afterwards
  // Whether the vendor's state is in doubt (a push whose outcome is unknown: reset after
  // sending, timeout, 5xx, the daemon killed mid-push) lives in the store (store/doubts.h): a
  // doubted push is planned full, and only an accepted full push (or a read) resolves it.
  std::int64_t due_ms = 0;
  // This push is the probe of an auth_failed connector; reached_vendor: it called the vendor
  // (an early end, such as nothing to send, leaves the next probe due at once).
  bool probe = false;
  bool reached_vendor = false;
  std::shared_ptr<asio::cancellation_signal> cancel;
};

// The connector's request budget meters every HTTP request it sends; the pump then only waits
// for a live token to be there before starting a push (the push's requests take the tokens). A
// connector that meters nothing gets a budget of the dispatcher's own, one token per push.
struct Channel {
  Channel(asio::io_context& io, Connector& c)
      : connector(c),
        limits(c.limits()),
        own_budget(c.request_budget()
                       ? nullptr
                       : std::make_unique<RequestBudget>(limits.rate_per_second, limits.burst,
                                                         limits.background_share)),
        budget(own_budget ? *own_budget : *c.request_budget()),
        breaker(limits.breaker),
        wake(io, SteadyClock::time_point::max()) {}

  bool per_push() const { return own_budget != nullptr; }

  Connector& connector;
  DeliveryLimits limits;
  std::unique_ptr<RequestBudget> own_budget;
  RequestBudget& budget;  // pauses act on it: every request of the connector waits
  CircuitBreaker breaker;
  asio::steady_timer wake;
  std::unordered_map<std::string, Lane> lanes;  // operators with an outbox entry
  std::deque<std::string> ready;
  std::multimap<std::int64_t, std::string> scheduled;  // due_ms -> operator (may hold stale rows)
  std::size_t in_flight = 0;
  DispatchCounters counters;  // pauses, paused_until_ms, pause_requested_ms: of the last pause
  // auth_failed (counters.auth_failed): a probe is in flight, or the next one is due at probe_at.
  bool probe_in_flight = false;
  SteadyClock::time_point probe_at{};
};

class Dispatcher::Impl : public std::enable_shared_from_this<Dispatcher::Impl> {
 public:
  Impl(asio::io_context& io, StateStore& store, std::vector<Connector*> connectors, Options options)
      : io_(io),
        store_(store),
        options_(with_defaults(std::move(options))),
        outcomes_(store, options_.now_ms, options_.seed),
        drained_(io, SteadyClock::time_point::max()) {
    for (Connector* c : connectors) {
      auto [it, inserted] = channels_.try_emplace(c->name(), nullptr);
      if (!inserted) throw std::invalid_argument("duplicate connector name '" + c->name() + "'");
      it->second = std::make_unique<Channel>(io, *c);
    }
  }

  static Options with_defaults(Options options) {
    if (!options.now_ms) {
      options.now_ms = [] {
        return std::chrono::duration_cast<milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    return options;
  }

  void start() {
    {
      // Any row pending at start may have had a push in flight when the last run ended.
      Transaction tx(store_, Durability::relaxed);
      for (auto& [name, ch] : channels_) store_.doubts().mark_pending(name, options_.now_ms());
      tx.commit();
    }
    for (auto& [name, ch] : channels_) {
      reload(*ch);
      asio::co_spawn(io_, pump(shared_from_this(), *ch), rethrow);
    }
  }

  void reload(Channel& ch) {
    for (const OutboxEntry& e : store_.outbox().load(ch.connector.name())) {
      schedule(ch, e.operator_id, e.next_attempt_ms);
    }
  }

  void notify(const std::string& connector, const std::string& op) {
    if (stopping_) return;
    auto it = channels_.find(connector);
    if (it == channels_.end()) return;
    Channel& ch = *it->second;
    if (auto lane = ch.lanes.find(op); lane != ch.lanes.end() && lane->second.in_flight) {
      lane->second.recheck = true;
      return;
    }
    std::optional<OutboxEntry> e = store_.outbox().load_entry(connector, op);
    if (e) schedule(ch, op, e->next_attempt_ms);
  }

  void notify_all() {
    if (stopping_) return;
    for (auto& [name, ch] : channels_) reload(*ch);
  }

  // Makes `op` due at `due_ms` unless a push for it is in flight (it is re-read afterwards).
  void schedule(Channel& ch, const std::string& op, std::int64_t due_ms) {
    Lane& lane = ch.lanes[op];
    if (lane.in_flight) {
      lane.recheck = true;
      return;
    }
    if (lane.queued) return;
    lane.due_ms = due_ms;
    if (due_ms <= options_.now_ms()) {
      lane.queued = true;
      ch.ready.push_back(op);
    } else {
      ch.scheduled.emplace(due_ms, op);
    }
    ch.wake.cancel();
  }

  void promote_due(Channel& ch, std::int64_t now_ms) {
    while (!ch.scheduled.empty() && ch.scheduled.begin()->first <= now_ms) {
      auto node = ch.scheduled.extract(ch.scheduled.begin());
      auto it = ch.lanes.find(node.mapped());
      if (it == ch.lanes.end()) continue;
      Lane& lane = it->second;
      if (lane.in_flight || lane.queued || lane.due_ms != node.key()) continue;  // stale row
      lane.queued = true;
      ch.ready.push_back(std::move(node.mapped()));
    }
  }

  static asio::awaitable<void> pump(std::shared_ptr<Impl> self, Channel& ch) {
    while (!self->stopping_) {
      const std::int64_t now_ms = self->options_.now_ms();
      const auto now = SteadyClock::now();
      self->promote_due(ch, now_ms);
      auto wake_at = SteadyClock::time_point::max();
      if (!ch.ready.empty() && ch.in_flight < ch.limits.concurrency) {
        const auto available = ch.budget.next_available(RequestPriority::live, now);
        if (ch.counters.auth_failed && (ch.probe_in_flight || now < ch.probe_at)) {
          // Credential refused: the pushes wait; the probe's end or its due time wakes us.
          if (!ch.probe_in_flight) wake_at = ch.probe_at;
        } else if (available > now) {
          wake_at = available;
        } else if (!ch.breaker.allow(now)) {
          // Open: wait out the cool-down. Half-open with its probe in flight: the probe's end
          // wakes us.
          if (ch.breaker.state(now) == BreakerState::open) wake_at = ch.breaker.open_until();
        } else {
          if (ch.per_push()) ch.budget.try_acquire(RequestPriority::live, now);
          std::string op = std::move(ch.ready.front());
          ch.ready.pop_front();
          self->start_push(ch, std::move(op));
          continue;
        }
      }
      if (!ch.scheduled.empty()) {
        const auto due = now + milliseconds(ch.scheduled.begin()->first - now_ms);
        wake_at = std::min(wake_at, due);
      }
      ch.wake.expires_at(wake_at);
      co_await ch.wake.async_wait(kNoThrow);
    }
  }

  void start_push(Channel& ch, std::string op) {
    Lane& lane = ch.lanes[op];
    lane.queued = false;
    lane.in_flight = true;
    lane.recheck = false;
    lane.reached_vendor = false;
    lane.probe = ch.counters.auth_failed;
    if (lane.probe) ch.probe_in_flight = true;
    lane.cancel = std::make_shared<asio::cancellation_signal>();
    ++ch.in_flight;
    asio::co_spawn(io_, run_lane(shared_from_this(), ch, op),
                   // The handler owns the signal: the slot is cleared when the coroutine ends.
                   asio::bind_cancellation_slot(lane.cancel->slot(),
                                                [signal = lane.cancel](std::exception_ptr e) {
                                                  (void)signal;
                                                  rethrow(e);
                                                }));
  }

  static asio::awaitable<void> run_lane(std::shared_ptr<Impl> self, Channel& ch, std::string op) {
    NextDue next = co_await self->push_once(ch, op);
    Lane& lane = ch.lanes[op];
    lane.in_flight = false;
    lane.cancel.reset();
    --ch.in_flight;
    if (lane.probe) {
      lane.probe = false;
      ch.probe_in_flight = false;
      ch.probe_at = lane.reached_vendor ? SteadyClock::now() + self->options_.auth_probe_interval
                                        : SteadyClock::now();
    }
    self->drained_.cancel();
    if (self->abandoned_) co_return;
    const bool recheck = lane.recheck;
    lane.recheck = false;
    if (!next && recheck) {
      // A change arrived during a push that had nothing more to do: read the entry again.
      if (auto e = self->store_.outbox().load_entry(ch.connector.name(), op))
        next = e->next_attempt_ms;
    }
    if (next) {
      self->schedule(ch, op, *next);
    } else {
      ch.lanes.erase(op);
    }
    ch.wake.cancel();
  }

  // One push for `op`. Returns when the lane's outbox entry is next due, or nullopt if the entry
  // is gone.
  asio::awaitable<NextDue> push_once(Channel& ch, const std::string& op) {
    Connector& connector = ch.connector;
    const std::string& name = connector.name();
    std::optional<OutboxEntry> entry = store_.outbox().load_entry(name, op);
    if (!entry) {
      ch.breaker.on_abandoned();
      co_return std::nullopt;
    }
    std::optional<CanonicalOperator> record = store_.operators().load(op);
    PushPlan plan;  // planned full while the vendor's state is in doubt (store/doubts.h)
    if (record) plan = plan_push(connector, *record, store_, entry->full_resync);
    if (!record || !plan.needs_push()) {
      ch.breaker.on_abandoned();
      ++ch.counters.skipped;
      co_return outcomes_.nothing_to_send(*entry);
    }
    if (!plan.mapping_error.empty()) {
      ch.breaker.on_abandoned();
      ++ch.counters.mapping_errors;
      spdlog::warn("event=push_unmappable connector={} operator={} error=\"{}\"", name, op,
                   plan.mapping_error);
      co_return dead_letter(*entry, mapping_dead_letter(connector, op, plan.mapping_error));
    }

    PushContext ctx;
    ctx.operator_id = op;
    ctx.vendor_id = plan.vendor_id;
    ctx.changed = plan.changed;
    ctx.desired = plan.desired;
    ctx.deleted = record->deleted;
    ctx.attempt = entry->attempts;
    // The last push's outcome is unknown: a create may have been applied (store/doubts.h).
    ctx.outcome_unknown = store_.doubts().contains(name, op);
    ctx.vendor_id_taken = [this, name, op](std::string_view id) {
      const auto owner = store_.shadows().operator_for_vendor_id(name, std::string(id));
      return owner.has_value() && *owner != op;
    };
    const auto started = SteadyClock::now();
    PushResult result = co_await connector.push(std::move(ctx));
    if (!abandoned_ && result.vendor_id_gone && plan.vendor_id) {
      if (options_.on_push) options_.on_push(name, result.outcome, SteadyClock::now() - started);
      result = co_await push_without_gone_id(ch, *entry, *record, plan, std::move(result));
    }
    if (abandoned_) {
      ch.breaker.on_abandoned();
      co_return std::nullopt;
    }
    ch.lanes[op].reached_vendor = true;
    const auto now = SteadyClock::now();
    if (result.credential_refused) {
      // Not this record's fault: hold the push (its outbox row stays as it is, attempts
      // included) and keep the connector auth_failed until a probe is answered otherwise.
      if (options_.on_push) options_.on_push(name, PushOutcome::retry, now - started);
      ch.breaker.on_success(now);  // the vendor answered
      enter_auth_failed(ch, now, result);
      co_return options_.now_ms();  // due, and held by the pump while auth_failed
    }
    if (ch.counters.auth_failed && !result.vendor_failure) leave_auth_failed(ch, result);
    if (options_.on_push) options_.on_push(name, result.outcome, now - started);
    if (result.vendor_failure) {
      ch.breaker.on_failure(now);
    } else {
      ch.breaker.on_success(now);
    }
    if (result.retry_after && result.retry_after->count() > 0 &&
        (result.throttle_connector || result.outcome == PushOutcome::ok)) {
      // The vendor says its quota is spent: pause the whole connector, not just this lane.
      pause(ch, now, result);
    }

    switch (result.outcome) {
      case PushOutcome::ok:
        ++ch.counters.pushes_ok;
        spdlog::debug("event=push_ok connector={} operator={} status={} fields={}", name, op,
                      result.status, plan.changed.size());
        co_return outcomes_.accepted(*entry, plan, result);
      case PushOutcome::retry: {
        ++ch.counters.pushes_retry;
        const NextDue due = outcomes_.retry(*entry, ch.limits.backoff, result);
        if (result.status == 429 && !result.throttle_connector && due) {
          // Too many requests without a Retry-After: the quota is the connector's, not this
          // operator's, so the whole connector waits the longest backoff delay of this attempt
          // (its lane retries within it, so no later than the others).
          PushResult slow = result;
          const auto attempt = static_cast<unsigned>(std::max<std::int64_t>(0, entry->attempts));
          slow.retry_after =
              std::min(backoff_ceiling(ch.limits.backoff, attempt), ch.limits.backoff.max_delay);
          if (slow.retry_after->count() > 0) pause(ch, now, slow);
        }
        co_return due;
      }
      case PushOutcome::permanent:
        ++ch.counters.pushes_permanent;
        spdlog::warn("event=push_rejected connector={} operator={} status={} message=\"{}\"", name,
                     op, result.status, result.message.substr(0, 512));
        co_return dead_letter(*entry, vendor_dead_letter(connector, op, result));
    }
    co_return std::nullopt;
  }

  // The vendor has no operator under the stored id (deleted there; hard-deleted and hired again):
  // forgets the id and the shadow, plans again from nothing and pushes once more without an id,
  // after a token from the rate limiter, so that the connector resolves the operator again
  // (lookup by natural key, or create) and sends the full record. Once per push: this push
  // carries no id, so a 404 now is an ordinary refusal. `plan` becomes the plan sent.
  asio::awaitable<PushResult> push_without_gone_id(Channel& ch, const OutboxEntry& entry,
                                                   const CanonicalOperator& record, PushPlan& plan,
                                                   PushResult gone) {
    const std::string& name = ch.connector.name();
    const std::string dead_id = *plan.vendor_id;
    spdlog::warn("event=vendor_id_gone connector={} operator={} vendor_id={} status={}", name,
                 entry.operator_id, dead_id, gone.status);
    outcomes_.vendor_id_gone(entry);
    plan = plan_push(ch.connector, record, std::nullopt, std::nullopt, /*full_resync=*/true);
    if (!plan.needs_push()) {  // nothing the vendor should hold (removed and gone: done)
      PushResult done;
      done.acknowledged = boost::json::object{};
      co_return done;
    }
    // A metered connector's requests take their tokens themselves; a fake's push takes one here.
    asio::steady_timer token(io_);
    for (auto now = SteadyClock::now();
         ch.per_push() && !ch.budget.try_acquire(RequestPriority::live, now);
         now = SteadyClock::now()) {
      token.expires_at(ch.budget.next_available(RequestPriority::live, now));
      auto [ec] = co_await token.async_wait(kNoThrow);
      if (ec || abandoned_) co_return gone;
    }
    PushContext ctx;
    ctx.operator_id = entry.operator_id;
    ctx.changed = plan.changed;
    ctx.desired = plan.desired;
    ctx.deleted = record.deleted;
    ctx.attempt = entry.attempts;
    PushResult r = co_await ch.connector.push(std::move(ctx));
    r.vendor_id_gone = false;
    if (r.outcome == PushOutcome::permanent) {
      r.message = "the " + std::string(ch.connector.type()) + " id '" + dead_id +
                  "' no longer exists there (HTTP " + std::to_string(gone.status) +
                  ") and was forgotten; resolving the operator again failed: " + r.message;
    }
    co_return r;
  }

  // Pauses the connector for result.retry_after. Logged once per pause: a lane answered while the
  // connector is already paused only extends it.
  void pause(Channel& ch, SteadyClock::time_point now, const PushResult& result) {
    const bool was_paused = ch.budget.paused_until() > now;
    const auto until = now + *result.retry_after;
    if (was_paused && until <= ch.budget.paused_until()) return;
    ch.budget.pause_until(until);
    const milliseconds requested = result.requested_retry_after.value_or(*result.retry_after);
    ch.counters.paused_until_ms = options_.now_ms() + result.retry_after->count();
    ch.counters.pause_requested_ms = requested.count();
    if (was_paused) return;
    ++ch.counters.pauses;
    spdlog::warn(
        "event=connector_paused connector={} until={} requested_s={} capped_s={} status={}",
        ch.connector.name(), format_rfc3339_ms(ch.counters.paused_until_ms),
        seconds_text(requested), seconds_text(*result.retry_after), result.status);
  }

  // One log line per episode: the first refusal; pushes refused meanwhile are held silently.
  void enter_auth_failed(Channel& ch, SteadyClock::time_point now, const PushResult& result) {
    if (ch.counters.auth_failed) return;
    ch.counters.auth_failed = true;
    ch.counters.auth_failed_since_ms = options_.now_ms();
    ++ch.counters.auth_failures;
    ch.probe_at = now + options_.auth_probe_interval;
    spdlog::error(
        "event=connector_auth_failed connector={} status={} message=\"{}\" probe_interval_s={} "
        "pushes_held={}",
        ch.connector.name(), result.status, result.message.substr(0, 256),
        seconds_text(options_.auth_probe_interval), ch.lanes.size());
  }

  // The credential works again (a probe, or a push already in flight, was answered otherwise):
  // every held push is due now.
  void leave_auth_failed(Channel& ch, const PushResult& result) {
    ch.counters.auth_failed = false;
    ch.counters.auth_failed_since_ms = 0;
    std::size_t due = 0;
    for (auto& [op, lane] : ch.lanes) {
      if (lane.in_flight) continue;
      ++due;
      if (lane.queued) continue;
      lane.queued = true;
      ch.ready.push_back(op);
    }
    spdlog::info("event=connector_auth_recovered connector={} status={} pushes_due={}",
                 ch.connector.name(), result.status, due);
    ch.wake.cancel();
  }

  // "3600", "2.5": seconds with the milliseconds that are there.
  static std::string seconds_text(milliseconds d) {
    std::string out = std::to_string(d.count() / 1000);
    if (const auto ms = d.count() % 1000; ms != 0) {
      std::string frac = std::to_string(ms + 1000).substr(1);
      while (frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
    return out;
  }

  ResumeResult resume(const std::string& connector) {
    auto it = channels_.find(connector);
    if (it == channels_.end()) return ResumeResult::unknown_connector;
    Channel& ch = *it->second;
    const auto now = SteadyClock::now();
    if (ch.counters.auth_failed) {
      // An operator says the credential is fixed: probe now rather than at the interval.
      ch.probe_at = now;
      spdlog::info("event=connector_auth_probe_requested connector={}", connector);
      ch.wake.cancel();
      return ResumeResult::resumed;
    }
    if (ch.budget.paused_until() <= now) return ResumeResult::not_paused;
    ch.budget.resume();
    ch.counters.paused_until_ms = 0;
    ch.counters.pause_requested_ms = 0;
    // Every push waiting for its next attempt is due now (its row in `scheduled` goes stale).
    std::size_t due = 0;
    for (auto& [op, lane] : ch.lanes) {
      if (lane.in_flight || lane.queued) continue;
      lane.queued = true;
      ch.ready.push_back(op);
      ++due;
    }
    spdlog::info("event=connector_resumed connector={} pushes_due={}", connector, due);
    ch.wake.cancel();
    return ResumeResult::resumed;
  }

  NextDue dead_letter(const OutboxEntry& entry, const DeadLetter& letter) {
    NextDue next = outcomes_.dead_letter(entry, letter);
    if (options_.on_dead_letter) options_.on_dead_letter();
    return next;
  }

  asio::awaitable<void> drain(std::shared_ptr<Impl> self, SteadyClock::time_point deadline) {
    stop_starting();
    while (in_flight() > 0 && SteadyClock::now() < deadline) {
      drained_.expires_at(deadline);
      co_await drained_.async_wait(kNoThrow);
    }
    if (in_flight() > 0) abandon();
    (void)self;
  }

  void stop_starting() {
    stopping_ = true;
    for (auto& [name, ch] : channels_) ch->wake.cancel();
  }

  void abandon() {
    abandoned_ = true;
    for (auto& [name, ch] : channels_) {
      for (auto& [op, lane] : ch->lanes) {
        if (lane.cancel) lane.cancel->emit(asio::cancellation_type::terminal);
      }
    }
  }

  std::size_t in_flight() const {
    std::size_t n = 0;
    for (const auto& [name, ch] : channels_) n += ch->in_flight;
    return n;
  }

  DispatchCounters counters(const std::string& connector) const {
    auto it = channels_.find(connector);
    if (it == channels_.end()) return {};
    const Channel& ch = *it->second;
    DispatchCounters c = ch.counters;
    c.backlog = ch.lanes.size();
    c.in_flight = ch.in_flight;
    const auto now = SteadyClock::now();
    c.breaker = ch.breaker.state(now);
    if (ch.budget.paused_until() <= now) {
      c.paused_until_ms = 0;
      c.pause_requested_ms = 0;
    }
    return c;
  }

 private:
  asio::io_context& io_;
  StateStore& store_;
  Options options_;
  OutcomeRecorder outcomes_;
  asio::steady_timer drained_;
  std::map<std::string, std::unique_ptr<Channel>> channels_;
  bool stopping_ = false;
  bool abandoned_ = false;
};

Dispatcher::Dispatcher(asio::io_context& io, StateStore& store, std::vector<Connector*> connectors,
                       Options options)
    : impl_(std::make_shared<Impl>(io, store, std::move(connectors), std::move(options))) {}

Dispatcher::~Dispatcher() {
  impl_->stop_starting();
  impl_->abandon();
}

void Dispatcher::start() {
  impl_->start();
}

void Dispatcher::notify(const std::string& connector, const std::string& operator_id) {
  impl_->notify(connector, operator_id);
}

void Dispatcher::notify_all() {
  impl_->notify_all();
}

asio::awaitable<void> Dispatcher::drain(SteadyClock::time_point deadline) {
  auto impl = impl_;
  co_await impl->drain(impl, deadline);
}

DispatchCounters Dispatcher::counters(const std::string& connector) const {
  return impl_->counters(connector);
}

ResumeResult Dispatcher::resume(const std::string& connector) {
  return impl_->resume(connector);
}

}  // namespace opsync
