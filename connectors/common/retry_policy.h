#pragma once
// What to do with the outcome of one vendor call: classification, exponential backoff with full
// jitter, and the server's own pacing (Retry-After, rate-limit headers). Pure functions: the
// caller passes the wall clock and the random source, so tests never sleep.

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "common/http_message.h"

namespace opsync {

enum class Outcome {
  ok,         ///< 2xx: the vendor accepted the call
  retry,      ///< transient: network error, timeout, 408, 425, 429, 5xx
  permanent,  ///< any other status: retrying the same payload cannot succeed
  reauth,     ///< 401 and no re-authentication tried yet: invalidate the credentials, retry once
};

/// Classifies a response status (no transport error). 1xx and 3xx are permanent: the client does
/// not follow redirects and vendor APIs do not send them for these calls.
Outcome classify_status(unsigned status, bool reauth_already_tried = false);

/// Classifies a call's result. Transport errors and timeouts retry, except the client's own
/// HttpError::response_too_large and HttpError::invalid_request, which are permanent (the same
/// request would fail the same way). `status` 0 without an error (no response) retries.
Outcome classify(const boost::system::error_code& error, unsigned status,
                 bool reauth_already_tried = false);
inline Outcome classify(const HttpResult& result, bool reauth_already_tried = false) {
  return classify(result.error, result.status, reauth_already_tried);
}

struct BackoffConfig {
  /// Ceiling of the first retry's delay (attempt 0).
  std::chrono::milliseconds base{200};
  /// Largest ceiling the exponential growth reaches.
  std::chrono::milliseconds cap{60'000};
  /// Hard bound on any delay, including one the server asks for (Retry-After, rate-limit reset).
  std::chrono::milliseconds max_delay{300'000};
};

/// min(cap, base * 2^attempt), without overflow for any attempt. Not bounded by max_delay.
std::chrono::milliseconds backoff_ceiling(const BackoffConfig& config, unsigned attempt);

/// Full jitter: uniform in [0, backoff_ceiling(config, attempt)], then bounded by max_delay.
/// `attempt` counts retries already made for this push: 0 before the first retry.
std::chrono::milliseconds backoff_delay(const BackoffConfig& config, unsigned attempt,
                                        std::mt19937_64& rng);

/// `Retry-After` as a delay from `now`: delta-seconds or an HTTP-date (a date in the past gives
/// zero). nullopt when absent or unparseable.
std::optional<std::chrono::milliseconds> retry_after_delay(
    const HttpHeaders& headers, std::chrono::system_clock::time_point now);

/// The rate-limit reset as a delay from `now`, when the vendor says its quota is used up:
/// `X-RateLimit-Remaining` / `x-rate-limit-remaining` / `RateLimit-Remaining` is 0, or the status
/// is 429. The matching `*-Reset` value is read as epoch seconds when large enough to be one
/// (>= 1e9, i.e. after 2001-09-09), else as delta seconds. nullopt when there is nothing to
/// honour.
std::optional<std::chrono::milliseconds> rate_limit_reset_delay(
    unsigned status, const HttpHeaders& headers, std::chrono::system_clock::time_point now);

/// The longest wait the server asked for (Retry-After or rate-limit reset), bounded by
/// config.max_delay; nullopt if none. Also worth applying after a 2xx (quota exhausted).
std::optional<std::chrono::milliseconds> server_requested_delay(
    const BackoffConfig& config, unsigned status, const HttpHeaders& headers,
    std::chrono::system_clock::time_point now);

/// Delay before retry number `attempt + 1`: the jittered backoff, pushed to at least
/// `server_delay` (what the server asked for: server_requested_delay, PushResult::retry_after),
/// bounded by config.max_delay. The dispatcher's retry schedule.
std::chrono::milliseconds retry_delay(const BackoffConfig& config, unsigned attempt,
                                      std::optional<std::chrono::milliseconds> server_delay,
                                      std::mt19937_64& rng);

}  // namespace opsync
