#include "dispatch/bulk_resync.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <vector>

#include "dispatch/delivery.h"
#include "store/state_store.h"

namespace opsync {

namespace asio = boost::asio;

std::size_t BulkResync::batch_size(std::size_t concurrency, double rate_per_second) {
  const auto by_rate = static_cast<std::size_t>(std::ceil(2.0 * rate_per_second));
  return std::clamp<std::size_t>(std::max(by_rate, 2 * concurrency), 8, 1000);
}

class BulkResync::Impl : public std::enable_shared_from_this<BulkResync::Impl> {
 public:
  Impl(asio::io_context& io, StateStore& store, Delivery& delivery, Options options)
      : io_(io), store_(store), delivery_(delivery), options_(std::move(options)), timer_(io) {
    if (!options_.now_ms) {
      options_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
  }

  void start() {
    for (const BulkResyncState& s : store_.bulk_resyncs().load_running()) {
      spdlog::info("event=bulk_resync_resumed connector={} queued={} total={}", s.connector,
                   s.queued, s.total);
    }
    asio::co_spawn(io_, run(shared_from_this()), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

  Start request(const std::string& connector) {
    if (!delivery_.find(connector)) return Start::unknown_connector;
    if (auto s = store_.bulk_resyncs().load(connector); s && s->running()) {
      return Start::already_running;
    }
    BulkResyncState s;
    s.connector = connector;
    s.requested_ms = options_.now_ms();
    s.total = store_.operators().count();
    {
      Transaction tx(store_);
      store_.bulk_resyncs().save(s);
      tx.commit();
    }
    spdlog::info("event=bulk_resync_requested connector={} operators={}", connector, s.total);
    timer_.cancel();
    return Start::started;
  }

  std::optional<BulkResyncState> state(const std::string& connector) {
    return store_.bulk_resyncs().load(connector);
  }

 private:
  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    while (!self->stopped_) {
      const bool busy = self->tick();
      if (self->stopped_) break;
      if (busy) {
        self->timer_.expires_after(self->options_.tick);
      } else {
        self->timer_.expires_at(asio::steady_timer::time_point::max());
      }
      co_await self->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  // Queues the next batch of each running bulk resync whose connector has room. Returns whether
  // any is still running (look again after a tick).
  bool tick() {
    bool any = false;
    for (BulkResyncState s : store_.bulk_resyncs().load_running()) {
      any = true;
      const Connector* c = delivery_.find(s.connector);
      if (!c || delivery_.replacing()) continue;  // waits until the connector runs again
      const DeliveryLimits limits = c->limits();
      const std::size_t batch = options_.batch != 0
                                    ? options_.batch
                                    : batch_size(limits.concurrency, limits.rate_per_second);
      if (delivery_.counters(s.connector).backlog >= batch) continue;
      queue_batch(s, batch);
    }
    return any;
  }

  void queue_batch(BulkResyncState& s, std::size_t batch) {
    const std::vector<std::string> ids = store_.operators().ids_after(s.cursor, batch);
    const std::int64_t now = options_.now_ms();
    {
      Transaction tx(store_, Durability::relaxed);
      for (const std::string& id : ids) store_.outbox().upsert(s.connector, id, now, true);
      if (!ids.empty()) s.cursor = ids.back();
      s.queued += static_cast<std::int64_t>(ids.size());
      if (ids.size() < batch) s.finished_ms = now;
      store_.bulk_resyncs().save(s);
      tx.commit();
    }
    for (const std::string& id : ids) delivery_.notify(s.connector, id);
    if (s.finished_ms) {
      spdlog::info("event=bulk_resync_queued connector={} operators={}", s.connector, s.queued);
    }
  }

  asio::io_context& io_;
  StateStore& store_;
  Delivery& delivery_;
  Options options_;
  asio::steady_timer timer_;
  bool stopped_ = false;
};

BulkResync::BulkResync(asio::io_context& io, StateStore& store, Delivery& delivery, Options options)
    : impl_(std::make_shared<Impl>(io, store, delivery, std::move(options))) {}

BulkResync::~BulkResync() {
  impl_->stop();
}

void BulkResync::start() {
  impl_->start();
}

void BulkResync::stop() {
  impl_->stop();
}

BulkResync::Start BulkResync::request(const std::string& connector) {
  return impl_->request(connector);
}

std::optional<BulkResyncState> BulkResync::state(const std::string& connector) {
  return impl_->state(connector);
}

}  // namespace opsync
