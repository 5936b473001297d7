#pragma once
// The benchmarks' event stream and what is measured from it.
//
// Event `seq` (0, 1, 2...) touches operator `op-<n>`; its `display_name` is `ev-<seq>`, which
// every connector under test sends as `name`, so a receipt at the server says which events it
// covers: all events of that operator up to `seq` (a push carries the latest values). The latency
// of an event at a vendor is the time from its production to the first receipt at that vendor for
// its operator carrying a sequence number >= its own.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "support/receipt_server.h"

namespace opsync::bench {

struct BenchEvent {
  std::string key;    ///< operator id
  std::string value;  ///< CloudEvents structured-mode JSON
  std::int64_t op_index = 0;
  std::int64_t seq = 0;
};

/// Operator `op-<n>` (7 digits).
std::string bench_operator_id(std::int64_t index);

class BenchEventStream {
 public:
  /// Events over `operators` operators, each picked uniformly at random (seeded); an operator's
  /// first event creates it (snapshot), later ones patch display_name and max_concurrent_chats.
  /// `hire_all_first`: the first `operators` events create everyone in order.
  BenchEventStream(std::int64_t operators, std::uint64_t seed, bool hire_all_first);
  BenchEvent next();
  std::int64_t produced() const { return seq_; }

 private:
  std::int64_t operators_;
  bool hire_all_first_;
  std::uint64_t rng_;
  std::int64_t seq_ = 0;
  std::vector<std::int64_t> revisions_;
};

/// When each event was produced, indexed by seq.
struct ProducedEvent {
  std::int64_t op_index = 0;
  std::int64_t produced_us = 0;
};

struct DeliveryFigures {
  std::vector<std::uint64_t> requests_per_vendor;
  std::vector<std::uint64_t> distinct_operators_per_vendor;  ///< distinct ops among the events
  std::uint64_t events = 0;
  std::uint64_t undelivered = 0;     ///< (event, vendor) pairs never covered by a receipt
  std::vector<double> latencies_ms;  ///< one per (event, vendor), sorted
  std::int64_t first_produced_us = 0;
  std::int64_t last_received_us = 0;

  std::uint64_t requests() const;
  double percentile(double p) const;  ///< nearest rank; 0 if none
};

/// Matches receipts (any order) to the produced events. `vendors`: how many vendors were sent to.
DeliveryFigures measure(const std::vector<ProducedEvent>& events, std::vector<Receipt> receipts,
                        std::size_t vendors, std::int64_t first_seq = 0);

/// Peak resident set of this process (VmHWM) and current (VmRSS), in MiB.
double peak_rss_mib();
double current_rss_mib();

}  // namespace opsync::bench
