#pragma once
// The delivery-limit keys every vendor connector's settings share (`concurrency`,
// `rate_per_second`, `burst`, `connect_timeout`, `request_timeout`, and the `reconcile` block):
// one table fragment, with the bounds that differ by vendor passed in, and the DeliveryLimits
// they give.
//
// A settings struct S derives from DeliverySettings (its defaults passed to the base: see
// glia/glia_settings.h) and writes its schema as
// `Schema<S>{with_delivery_keys<S>({its own rows}, bounds), checks}`.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/schema.h"
#include "framework/connector.h"

namespace opsync {

/// A connector's `reconcile:` block: how often a reconcile pass reads the vendor's records back,
/// and the share of the rate budget it may use.
struct ReconcileSettings {
  std::chrono::milliseconds interval{std::chrono::hours(4)};
  double rate_share = 0.25;
};

/// The schema of the `reconcile:` block.
inline const Schema<ReconcileSettings>& reconcile_schema() {
  using enum Presence;
  using std::chrono::milliseconds;
  using R = ReconcileSettings;
  static const Schema<R> schema{
      {
          {"interval",
           in_range<R, milliseconds>(&R::interval, milliseconds(0),
                                     milliseconds(30LL * 86'400'000)),
           optional,
           "Time between the starts of two periodic reconcile passes; `0` turns periodic passes "
           "off (`POST /connectors/{name}/reconcile` still starts one)."},
          {"rate_share", in_range<R, double>(&R::rate_share, 0.0, 1.0), optional,
           "Share of `rate_per_second` a pass (and other background requests) may use, in (0, "
           "1]; live pushes keep the rest and always go first."},
      },
      {[](const R& r, const CheckReporter& report) {
        if (!(r.rate_share > 0.0)) report.error("rate_share", "must be greater than 0");
      }}};
  return schema;
}

/// The delivery-limit settings of every connector, and the DeliveryLimits they give (backoff and
/// breaker at their defaults).
struct DeliverySettings {
  std::size_t concurrency = 4;
  double rate_per_second = 5.0;
  std::uint32_t burst = 10;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{15'000};
  ReconcileSettings reconcile;

  DeliveryLimits limits() const {
    DeliveryLimits limits;
    limits.concurrency = concurrency;
    limits.rate_per_second = rate_per_second;
    limits.burst = burst;
    limits.background_share = reconcile.rate_share;
    limits.reconcile_interval = reconcile.interval;
    return limits;
  }
};

/// The check every connector's schema makes of its `base_url`: http(s) only.
inline void check_base_url(const std::string& base_url, const CheckReporter& report) {
  if (!base_url.starts_with("https://") && !base_url.starts_with("http://")) {
    report.error("base_url", "must start with https:// (or http:// for a simulator)");
  }
}

/// The upper bounds of the delivery keys (the lower ones are 1, 0.01/s and 100 ms for all).
struct DeliveryKeyBounds {
  std::uint64_t max_concurrency = 64;
  /// Above any vendor's documented quota: the vendors whose limit is documented set their own.
  double max_rate_per_second = 1000.0;
  std::uint32_t max_burst = 10'000;
  /// The description of rate_per_second; empty: the generic one.
  std::string rate_description;
};

/// `keys` followed by the delivery-limit rows of S.
template <class S>
std::vector<Key<S>> with_delivery_keys(std::vector<Key<S>> keys,
                                       const DeliveryKeyBounds& bounds = {}) {
  using enum Presence;
  using std::chrono::milliseconds;
  using Concurrency = decltype(S::concurrency);
  keys.push_back({"concurrency",
                  in_range<S, Concurrency>(&S::concurrency, Concurrency{1},
                                           static_cast<Concurrency>(bounds.max_concurrency)),
                  optional, "Operators with a request in flight at once."});
  keys.push_back({"rate_per_second",
                  in_range<S, double>(&S::rate_per_second, 0.01, bounds.max_rate_per_second),
                  optional,
                  bounds.rate_description.empty() ? "Requests per second (token-bucket refill)."
                                                  : bounds.rate_description});
  keys.push_back({"burst",
                  in_range<S, std::uint32_t>(&S::burst, std::uint32_t{1}, bounds.max_burst),
                  optional, "Token-bucket size."});
  keys.push_back(
      {"connect_timeout",
       in_range<S, milliseconds>(&S::connect_timeout, milliseconds(100), milliseconds(60'000)),
       optional, "TCP + TLS connect deadline."});
  keys.push_back(
      {"request_timeout",
       in_range<S, milliseconds>(&S::request_timeout, milliseconds(100), milliseconds(300'000)),
       optional, "Deadline of one request."});
  keys.push_back({"reconcile", nested<S, ReconcileSettings>(&S::reconcile, reconcile_schema()),
                  optional, "Reading the vendor's records back to find and repair drift."});
  return keys;
}

}  // namespace opsync
