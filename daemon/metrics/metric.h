#pragma once
// The three kinds of metric a family holds. Each is a plain value updated in place: no locks, no
// atomics, no allocation. They are meant for one thread (the daemon's event loop).

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace opsync::metrics {

/// A value that only goes up (events consumed, pushes done). Starts at 0.
class Counter {
 public:
  struct Options {};
  explicit Counter(const Options& = {}) {}

  /// Adds `amount`; a negative or NaN amount is ignored (a counter never goes down).
  void inc(double amount = 1.0) {
    if (amount > 0) value_ += amount;
  }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

/// A value that goes up and down (breaker state, in-flight requests). Starts at 0.
class Gauge {
 public:
  struct Options {};
  explicit Gauge(const Options& = {}) {}

  void set(double value) { value_ = value; }
  void inc(double amount = 1.0) { value_ += amount; }
  void dec(double amount = 1.0) { value_ -= amount; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

/// Counts observations into fixed buckets (upper bounds, inclusive) and keeps their sum.
class Histogram {
 public:
  struct Options {
    /// Strictly increasing, finite upper bounds; `+Inf` is implicit. Shared by a family.
    std::shared_ptr<const std::vector<double>> bounds;
  };
  explicit Histogram(const Options& options);

  /// Records one observation. NaN is ignored. Does not allocate.
  void observe(double value);

  std::span<const double> bounds() const { return *options_.bounds; }
  /// Per-bucket counts, not cumulative; one more than bounds() (the last is `+Inf`).
  std::span<const std::uint64_t> bucket_counts() const { return counts_; }
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  Options options_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

/// Bounds for request latencies in seconds: 5 ms to 10 s.
std::vector<double> latency_buckets_seconds();
/// `count` bounds: start, start*factor, start*factor^2, ... Requires start > 0, factor > 1.
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);

}  // namespace opsync::metrics
