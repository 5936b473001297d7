#include "dispatch/reconcile_pass.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <random>

#include "common/request_budget.h"
#include "common/retry_policy.h"
#include "store/state_store.h"

namespace opsync {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

std::string describe_failure(const PushResult& r) {
  std::string out = r.status ? "HTTP " + std::to_string(r.status) : std::string("no response");
  if (!r.message.empty()) out += ": " + r.message.substr(0, 256);
  return out;
}

/// One pass's work against the store, between two vendor reads.
class PassRun {
 public:
  PassRun(Connector& connector, StateStore& store, ReconcilePassRow& pass,
          const ReconcileOptions& options)
      : c_(connector), store_(store), pass_(pass), options_(options) {}

  /// Compares the vendor's `record` with operator `operator_id`'s mapped record; queues the
  /// repair. Inside the caller's transaction.
  void compare(const std::string& operator_id, const VendorRecord& record) {
    ReconcileCounts& k = pass_.counts;
    auto op = store_.operators().load(operator_id);
    if (!op || (op->deleted && c_.delete_policy() == DeletePolicy::remove)) {
      ++k.not_compared;
      return;
    }
    MapResult mapped = c_.map(*op);
    if (!mapped.ok()) {
      ++k.not_compared;
      return;
    }
    boost::json::object shadow =
        store_.shadows().load(c_.name(), operator_id).value_or(boost::json::object{});
    std::vector<std::string> drifted;
    for (const auto& [key, desired] : mapped.fields) {
      const boost::json::value* held = record.fields.if_contains(key);
      if (held == nullptr || c_.in_step(key, *held, desired)) continue;
      drifted.emplace_back(key);
      // The shadow learns what the vendor really holds, so the next diff sends the repair.
      shadow[key] = *held;
    }
    if (drifted.empty()) {
      ++k.in_step;
      return;
    }
    ++k.drifted_operators;
    std::string fields;
    for (const auto& f : drifted) {
      ++k.drifted[f];
      fields += (fields.empty() ? "" : ",") + f;
    }
    const std::int64_t now = options_.now_ms();
    store_.shadows().save(c_.name(), operator_id, shadow, now);
    queue(operator_id, false);
    spdlog::info("event=reconcile_drift connector={} operator={} vendor_id={} fields={}", c_.name(),
                 operator_id, record.vendor_id, fields);
  }

  /// The vendor no longer has `operator_id`'s vendor id: forget it and push the full record.
  void missing(const std::string& operator_id, const std::string& vendor_id) {
    ++pass_.counts.missing_at_vendor;
    store_.shadows().forget_vendor_id(c_.name(), operator_id);
    store_.shadows().remove(c_.name(), operator_id);
    auto op = store_.operators().load(operator_id);
    const bool push = op && !op->deleted;
    if (push) queue(operator_id, true);
    spdlog::info(
        "event=reconcile_missing_at_vendor connector={} operator={} vendor_id={} full_push={}",
        c_.name(), operator_id, vendor_id, push);
  }

  void unknown(const std::string& vendor_id) {
    ReconcileCounts& k = pass_.counts;
    ++k.unknown_at_vendor;
    if (k.unknown_ids.size() < options_.unknown_ids_shown) k.unknown_ids.push_back(vendor_id);
  }

  /// A list page: every record is either mapped (compared) or unknown.
  void page(const std::vector<VendorRecord>& records) {
    for (const VendorRecord& r : records) {
      ++pass_.counts.read;
      store_.reconcile_passes().mark_seen(pass_.id, r.vendor_id);
      if (auto op = store_.shadows().operator_for_vendor_id(c_.name(), r.vendor_id)) {
        compare(*op, r);
      } else {
        unknown(r.vendor_id);
      }
    }
  }

  /// Whether `target` is still mapped as it was when the pass began.
  bool still_mapped(const ReconcileTarget& target) {
    return store_.shadows().load_vendor_id(c_.name(), target.operator_id) == target.vendor_id;
  }

  /// Wakes the lanes of the repairs queued since the last call (after the commit).
  void notify_queued() {
    if (options_.notify) {
      for (const auto& op : queued_) options_.notify(c_.name(), op);
    }
    queued_.clear();
  }

 private:
  void queue(const std::string& operator_id, bool full) {
    store_.outbox().upsert(c_.name(), operator_id, options_.now_ms(), full);
    ++pass_.counts.repairs_queued;
    queued_.push_back(operator_id);
  }

  Connector& c_;
  StateStore& store_;
  ReconcilePassRow& pass_;
  const ReconcileOptions& options_;
  std::vector<std::string> queued_;
};

/// A read that did not fail for good: the answer, or nullopt with `error` set (or the pass was
/// stopped: control->stopped).
struct Read {
  std::optional<ReadResult> result;
  std::string error;
};

/// Lists the page `arg` (`list`), else reads the vendor id `*arg`, retrying failures. (No
/// callable parameter: GCC 12 mis-copies lambda temporaries passed to a coroutine.)
asio::awaitable<Read> read_retrying(Connector& c, PassControl& control,
                                    const ReconcileOptions& options, std::mt19937_64& rng,
                                    bool list, std::optional<std::string> arg) {
  const BackoffConfig backoff = c.limits().backoff;
  Read out;
  unsigned throttled = 0;  // 429s with a wait: the vendor's quota, not a failure of the read
  for (unsigned attempt = 0;; ++attempt) {
    ReadResult r;
    if (list) {
      r = co_await c.list_operators(arg);
    } else {
      r = co_await c.read_operator(arg.value_or(""));
    }
    if (control.stopped) co_return out;
    if (r.status != ReadResult::Status::failed) {
      out.result = std::move(r);
      co_return out;
    }
    const std::string why = describe_failure(r.failure);
    if (r.failure.outcome == PushOutcome::permanent) {
      out.error = "the vendor refused a read: " + why;
      co_return out;
    }
    const bool throttle =
        r.failure.throttle_connector && r.failure.retry_after && r.failure.retry_after->count() > 0;
    if (throttle) {
      // The vendor's quota is spent: every request of the connector waits (live pushes too, as
      // for a push's 429), and the wait does not count against the read's attempts.
      if (RequestBudget* budget = c.request_budget()) {
        budget->pause_until(std::chrono::steady_clock::now() + *r.failure.retry_after);
      }
      ++throttled;
    }
    const unsigned failures = attempt + 1 - throttled;
    if (!throttle && failures >= options.max_read_attempts) {
      out.error = "a read failed " + std::to_string(failures) + " times, last: " + why;
      co_return out;
    }
    const milliseconds delay =
        retry_delay(backoff, throttle ? 0 : failures - 1, r.failure.retry_after, rng);
    spdlog::info("event=reconcile_read_retry connector={} attempt={} delay_ms={} reason=\"{}\"",
                 c.name(), attempt + 1, delay.count(), why);
    control.timer.expires_after(delay);
    co_await control.timer.async_wait(kNoThrow);
    if (control.stopped) co_return out;
  }
}

}  // namespace

asio::awaitable<void> run_reconcile_pass(Connector& c, StateStore& store, ReconcilePassRow pass,
                                         std::shared_ptr<PassControl> control,
                                         ReconcileOptions options) {
  // Stopped before it first ran (the connector may already be destroyed): leave the row running
  // for the next process to resume.
  if (control->stopped) {
    control->done = true;
    co_return;
  }
  std::mt19937_64 rng(options.seed ^ static_cast<std::uint64_t>(pass.id));
  PassRun run(c, store, pass, options);
  auto end = [&](PassState state, std::string error) {
    Transaction tx(store);
    store.reconcile_passes().finish(pass, state, options.now_ms(), std::move(error));
    tx.commit();
    const ReconcileCounts& k = pass.counts;
    if (state == PassState::finished) {
      spdlog::info(
          "event=reconcile_finished connector={} pass={} read={} in_step={} drifted={} "
          "missing_at_vendor={} unknown_at_vendor={} repairs_queued={}",
          c.name(), pass.id, k.read, k.in_step, k.drifted_operators, k.missing_at_vendor,
          k.unknown_at_vendor, k.repairs_queued);
    } else {
      spdlog::warn("event=reconcile_failed connector={} pass={} read={} error=\"{}\"", c.name(),
                   pass.id, k.read, pass.error);
    }
    control->done = true;
    if (options.on_end) options.on_end(pass);
  };
  // Commits the pass's progress together with what this step changed.
  auto commit = [&](Transaction& tx) {
    store.reconcile_passes().save_progress(pass);
    tx.commit();
    run.notify_queued();
  };

  // The list, page by page.
  while (pass.mode == "list" && !pass.list_done) {
    std::optional<std::string> page = pass.cursor;
    Read r = co_await read_retrying(c, *control, options, rng, true, std::move(page));
    if (control->stopped) co_return;
    if (!r.result) co_return end(PassState::failed, r.error);
    Transaction tx(store);
    if (r.result->status != ReadResult::Status::ok) {
      // No list call (or refused, or an answer a list cannot give): one read per mapped id.
      spdlog::info("event=reconcile_per_id_reads connector={} pass={}", c.name(), pass.id);
      pass.mode = "read";
      pass.cursor = std::string();
    } else {
      run.page(r.result->records);
      pass.cursor = r.result->next_page;
      if (!pass.cursor) {
        pass.list_done = true;
        pass.cursor = std::string();  // from here: the last unseen target checked
      }
    }
    commit(tx);
  }

  // list: the targets the complete list did not show, each confirmed by a read (a page walk over
  // a list that changes meanwhile can skip a record). read: every target.
  const bool unseen_only = pass.mode == "list";
  for (;;) {
    const std::vector<ReconcileTarget> next =
        store.reconcile_passes().targets(pass.id, pass.cursor.value_or(""), 1, unseen_only);
    if (next.empty()) break;
    const ReconcileTarget& target = next.front();
    std::optional<ReadResult> answer;
    if (run.still_mapped(target)) {
      std::optional<std::string> id = target.vendor_id;
      Read r = co_await read_retrying(c, *control, options, rng, false, std::move(id));
      if (control->stopped) co_return;
      if (!r.result) co_return end(PassState::failed, r.error);
      answer = std::move(r.result);
    }
    Transaction tx(store);
    // Mapped again (or forgotten) since the pass began: the push that did it is the truth.
    if (answer && run.still_mapped(target)) {
      switch (answer->status) {
        case ReadResult::Status::ok:
          if (!answer->records.empty()) {
            ++pass.counts.read;
            run.compare(target.operator_id, answer->records.front());
          }
          break;
        case ReadResult::Status::not_found:
          run.missing(target.operator_id, target.vendor_id);
          break;
        case ReadResult::Status::unsupported:
          if (!unseen_only) {
            tx.commit();
            co_return end(PassState::failed,
                          "the connector can neither list nor read the vendor's operators");
          }
          // The complete list did not show it and there is no read to ask: trust the list.
          run.missing(target.operator_id, target.vendor_id);
          break;
        case ReadResult::Status::failed:
          break;  // not returned by read_retrying
      }
    }
    pass.cursor = target.operator_id;
    commit(tx);
  }
  end(PassState::finished, {});
}

// ---------------------------------------------------------------------------------------------

struct ReconcileScheduler::Slot {
  Slot(asio::io_context& io, Connector& c) : connector(c), periodic(io) {}
  Connector& connector;
  std::shared_ptr<PassControl> pass;  ///< the running pass, if any
  asio::steady_timer periodic;
  bool stopped = false;

  bool running() const { return pass && !pass->done; }
};

ReconcileScheduler::ReconcileScheduler(asio::io_context& io, StateStore& store,
                                       std::vector<Connector*> connectors, ReconcileOptions options)
    : io_(io), store_(store), options_(std::move(options)) {
  if (!options_.now_ms) {
    options_.now_ms = [] {
      return std::chrono::duration_cast<milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  for (Connector* c : connectors) slots_.emplace(c->name(), std::make_shared<Slot>(io, *c));
}

ReconcileScheduler::~ReconcileScheduler() {
  stop();
}

void ReconcileScheduler::launch(Slot& slot, ReconcilePassRow pass) {
  slot.pass = std::make_shared<PassControl>(io_);
  spdlog::info("event=reconcile_started connector={} pass={} trigger={} resumed={}",
               slot.connector.name(), pass.id, pass.trigger, pass.cursor.has_value());
  auto control = slot.pass;
  asio::co_spawn(
      io_, run_reconcile_pass(slot.connector, store_, std::move(pass), control, options_),
      // The handler owns the control (and so the signal) until the coroutine ends. An exception
      // after stop() is the cancellation unwinding the read; any other is the store's (fatal).
      asio::bind_cancellation_slot(control->cancel.slot(), [control](std::exception_ptr e) {
        control->done = true;
        if (!control->stopped) rethrow(e);
      }));
}

namespace {

// Sleeps until the connector's next periodic pass is due, starts it, and again. The due time
// comes from the store (the last pass's start plus the interval), so it survives restarts.
asio::awaitable<void> periodic_loop(std::shared_ptr<ReconcileScheduler::Slot> slot,
                                    StateStore& store, ReconcileOptions options,
                                    std::function<void(ReconcilePassRow)> launch) {
  // The scheduler (and its connectors) may be gone before this coroutine first runs: a Delivery
  // started and destroyed without the loop turning in between. Touch nothing before this check.
  if (slot->stopped) co_return;
  const milliseconds interval = slot->connector.limits().reconcile_interval;
  const std::int64_t first_due =
      options.now_ms() + std::min(interval, options.first_pass_delay).count();
  while (!slot->stopped) {
    const std::int64_t now = options.now_ms();
    std::int64_t due = first_due;
    if (auto last = store.reconcile_passes().latest(slot->connector.name())) {
      due = last->started_ms + interval.count();
    }
    if (now >= due && !slot->running()) {
      Transaction tx(store);
      ReconcilePassRow pass =
          store.reconcile_passes().begin(slot->connector.name(), "periodic", now);
      tx.commit();
      launch(std::move(pass));
      due = now + interval.count();
    }
    // Wake at the due time, and at least every minute to see a pass that ended meanwhile.
    const std::int64_t wait = std::clamp<std::int64_t>(due - now, 1'000, 60'000);
    slot->periodic.expires_after(milliseconds(wait));
    co_await slot->periodic.async_wait(kNoThrow);
  }
}

}  // namespace

void ReconcileScheduler::start() {
  for (auto& [name, slot] : slots_) {
    if (auto last = store_.reconcile_passes().latest(name);
        last && last->state == PassState::running) {
      launch(*slot, std::move(*last));
    }
    if (slot->connector.limits().reconcile_interval.count() > 0) {
      Slot* raw = slot.get();
      asio::co_spawn(io_,
                     periodic_loop(slot, store_, options_,
                                   [this, raw](ReconcilePassRow pass) {
                                     // Only called while the slot is not stopped, so the
                                     // scheduler is alive.
                                     launch(*raw, std::move(pass));
                                   }),
                     rethrow);
    }
  }
}

void ReconcileScheduler::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& [name, slot] : slots_) {
    slot->stopped = true;
    slot->periodic.cancel();
    if (slot->pass) slot->pass->stop();
  }
}

ReconcileStart ReconcileScheduler::start_now(const std::string& connector) {
  auto it = slots_.find(connector);
  if (it == slots_.end()) return ReconcileStart::unknown_connector;
  if (stopped_) return ReconcileStart::unavailable;
  Slot& slot = *it->second;
  if (slot.running()) return ReconcileStart::already_running;
  Transaction tx(store_);
  ReconcilePassRow pass = store_.reconcile_passes().begin(connector, "admin", options_.now_ms());
  tx.commit();
  launch(slot, std::move(pass));
  return ReconcileStart::started;
}

bool ReconcileScheduler::running(const std::string& connector) const {
  auto it = slots_.find(connector);
  return it != slots_.end() && it->second->running();
}

}  // namespace opsync
