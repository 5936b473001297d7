#pragma once
// A minimal, fast HTTP/1.1 server standing in for the five vendors in the benchmarks: it answers
// every request with 200 and records when it arrived, for which vendor and operator, and which
// benchmark event sequence number the body carries. Unlike the vendor simulators it keeps no
// records and no JSON request log, so it costs a few microseconds per request and the figures
// measure the sender, not the receiver.
//
// Request target: `/<vendor>/operators/<operator id>`; the event sequence is read from the body's
// `"name":"ev-<seq>"` (see bench_events.h). Unknown targets are answered and recorded with
// vendor -1.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace opsync::bench {

struct Receipt {
  std::int32_t vendor = -1;      ///< index into ReceiptServer's vendor names, -1 if unknown
  std::int64_t op_index = -1;    ///< the number in `op-<n>`, -1 if not parsable
  std::int64_t seq = -1;         ///< the `ev-<seq>` in the body, -1 if absent
  std::int64_t received_us = 0;  ///< system clock, microseconds since the epoch
};

class ReceiptServer {
 public:
  /// Binds 127.0.0.1 on a free port and serves on `threads` threads of its own.
  ReceiptServer(std::vector<std::string> vendors, int threads = 1);
  ~ReceiptServer();
  ReceiptServer(const ReceiptServer&) = delete;
  ReceiptServer& operator=(const ReceiptServer&) = delete;

  std::uint16_t port() const { return port_; }
  const std::vector<std::string>& vendors() const { return vendors_; }
  /// Requests received so far.
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  /// Moves the receipts recorded so far out (the server keeps running).
  std::vector<Receipt> take();
  void stop();

  struct Impl;

 private:
  std::vector<std::string> vendors_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> count_{0};
  std::mutex mutex_;
  std::vector<Receipt> receipts_;
  std::shared_ptr<Impl> impl_;
  std::vector<std::thread> threads_;
  friend struct Impl;
};

/// Microseconds since the epoch, system clock (comparable across processes on this machine).
std::int64_t wall_us();

}  // namespace opsync::bench
