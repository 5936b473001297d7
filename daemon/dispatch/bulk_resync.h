#pragma once
// Bulk resync: a full push of every operator to one connector (POST /connectors/{name}/resync),
// after a vendor restore or a new mapping table. The operators are queued into the normal outbox
// (full_resync) a batch at a time, in operator-id order, only while the connector's backlog is
// low, so the pushes are paced by the connector's rate limit and a live change queued meanwhile
// waits behind one batch at most, never behind the whole roster. The cursor is stored with each
// batch (store/bulk_resyncs.h): a restart carries on after the last batch queued.
//
// Everything runs on the io_context's thread. Only the state store throws.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "store/bulk_resyncs.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace opsync {

class Delivery;
class StateStore;

class BulkResync {
 public:
  struct Options {
    /// Wall clock in ms since the epoch. Default: system_clock.
    std::function<std::int64_t()> now_ms;
    /// How often the backlog is looked at while a bulk resync is queueing.
    std::chrono::milliseconds tick{100};
    /// Operators per batch; 0: batch_size() of the connector's limits.
    std::size_t batch = 0;
  };

  enum class Start {
    started,            ///< queued from the first operator
    unknown_connector,  ///< no running connector of that name
    already_running,    ///< the connector's last bulk resync is still queueing
  };

  /// `store` and `delivery` must outlive the BulkResync.
  BulkResync(boost::asio::io_context& io, StateStore& store, Delivery& delivery, Options options);
  ~BulkResync();
  BulkResync(const BulkResync&) = delete;
  BulkResync& operator=(const BulkResync&) = delete;

  /// Carries on with the bulk resyncs a previous run left queueing. Call once.
  void start();
  /// No more batches are queued (what is in the outbox stays there).
  void stop();

  Start request(const std::string& connector);
  /// The connector's last bulk resync, running or finished.
  std::optional<BulkResyncState> state(const std::string& connector);

  /// Operators queued per batch for a connector with these limits: enough to keep its lanes busy
  /// for about two seconds at its rate, and never fewer than twice its concurrency.
  static std::size_t batch_size(std::size_t concurrency, double rate_per_second);

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace opsync
