#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/metric.h"

namespace opsync::metrics {

Histogram::Histogram(const Options& options) : options_(options) {
  if (!options_.bounds) throw std::invalid_argument("histogram without bucket bounds");
  counts_.assign(options_.bounds->size() + 1, 0);
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  const auto& bounds = *options_.bounds;
  // First bound >= value: buckets are "less than or equal" (le).
  const auto it = std::lower_bound(bounds.begin(), bounds.end(), value);
  ++counts_[static_cast<std::size_t>(it - bounds.begin())];
  ++count_;
  sum_ += value;
}

std::vector<double> latency_buckets_seconds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
  if (!(start > 0) || !(factor > 1)) {
    throw std::invalid_argument("exponential_buckets needs start > 0 and factor > 1");
  }
  std::vector<double> bounds;
  bounds.reserve(count);
  double bound = start;
  for (std::size_t i = 0; i < count; ++i, bound *= factor) bounds.push_back(bound);
  return bounds;
}

}  // namespace opsync::metrics
