// Fault switches of one simulated vendor: latency, 5xx, 429, resets, hangs and a rate limit.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vendorsim/vendor.h"

namespace opsync::vendorsim {

/// What a vendor does wrong, on purpose. Rates are shares of requests in [0, 1]; their sum must
/// not exceed 1 (one uniform draw per request picks at most one fault).
struct FaultConfig {
  std::uint32_t latency_ms = 0;  ///< added before every answer (and before a reset)
  double error_rate = 0;         ///< share answered with `error_status`
  unsigned error_status = 503;   ///< 500..599
  double rate_429 = 0;           ///< share answered 429 with `Retry-After: retry_after_s`
  std::uint32_t retry_after_s = 1;
  double reset_rate = 0;  ///< share whose connection is reset without an answer
  double hang_rate = 0;   ///< share never answered (until the client closes)
  /// Share handled as usual (the change is applied) whose answer is then lost: the connection is
  /// reset instead. The client cannot tell it from `reset_rate`, which changes nothing.
  double lost_answer_rate = 0;
  double rate_limit_per_s = 0;  ///< token bucket (burst = one second's worth); 0 = unlimited
  /// When set ("POST"): `lost_answer_rate` applies only to requests of this method (a create's
  /// answer lost, the list calls before it answered). Other requests drawn for it are answered.
  std::string lost_answer_method;
};

json::object to_json(const FaultConfig& config);
/// Parses a fault configuration. Absent keys take their defaults; unknown keys, wrong types and
/// out-of-range values are refused with a message naming the key.
std::optional<FaultConfig> fault_config_from_json(const json::value& value, std::string& error);

enum class FaultKind {
  none,
  error_status,
  too_many_requests,
  rate_limited,
  reset,
  hang,
  lost_answer
};
/// "error", "429", "rate_limit", "reset", "hang", "lost_answer"; "" for none.
std::string_view fault_name(FaultKind kind);

/// The fate of one request.
struct FaultPlan {
  FaultKind kind = FaultKind::none;
  std::chrono::milliseconds delay{0};
  unsigned status = 0;  ///< for error_status, too_many_requests and rate_limited
  std::uint32_t retry_after_s = 0;
};

/// Decides, per request, which fault (if any) applies. Deterministic for a given seed and
/// request sequence.
class FaultInjector {
 public:
  FaultInjector(FaultConfig config, std::uint64_t seed, Clock now);

  const FaultConfig& config() const { return config_; }
  /// Replaces the configuration and refills the token bucket.
  void configure(const FaultConfig& config);
  /// Restarts the random sequence from `seed`.
  void reseed(std::uint64_t seed) { rng_.seed(seed); }
  FaultPlan next();

 private:
  FaultConfig config_;
  Rng rng_;
  Clock now_;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point refilled_at_;
};

}  // namespace opsync::vendorsim
