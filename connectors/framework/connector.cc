#include "framework/connector.h"

#include <algorithm>

namespace opsync {

std::string_view to_string(PushOutcome outcome) {
  switch (outcome) {
    case PushOutcome::ok:
      return "ok";
    case PushOutcome::retry:
      return "retry";
    case PushOutcome::permanent:
      return "permanent";
  }
  return "unknown";
}

const std::vector<std::string>& Connector::required_fields() const {
  static const std::vector<std::string> none;
  return none;
}

boost::asio::awaitable<ReadResult> Connector::list_operators(std::optional<std::string> page) {
  (void)page;
  co_return ReadResult::unsupported_call();
}

boost::asio::awaitable<ReadResult> Connector::read_operator(std::string vendor_id) {
  (void)vendor_id;
  co_return ReadResult::unsupported_call();
}

bool Connector::in_step(std::string_view field, const boost::json::value& vendor,
                        const boost::json::value& desired) const {
  (void)field;
  return vendor == desired;
}

PushResult push_result_from_http(const HttpResult& result, const HttpRequest& request,
                                 std::chrono::system_clock::time_point now,
                                 const BackoffConfig& backoff) {
  constexpr std::size_t kMaxMessage = 2048;
  PushResult out;
  out.status = result.status;
  out.request = request;
  out.response_body = result.body;
  // A 401 that reaches here was already retried once with fresh credentials: permanent.
  switch (classify(result, /*reauth_already_tried=*/true)) {
    case Outcome::ok:
      out.outcome = PushOutcome::ok;
      break;
    case Outcome::retry:
      out.outcome = PushOutcome::retry;
      break;
    case Outcome::permanent:
    case Outcome::reauth:
      out.outcome = PushOutcome::permanent;
      break;
  }
  if (result.error) {
    out.message = result.error.message();
  } else if (!result.ok()) {
    out.message = result.body.substr(0, kMaxMessage);
    // An empty body still leaves a reason in logs and dead letters (found by fuzzing).
    if (out.message.find_first_not_of(" \t\r\n") == std::string::npos) {
      out.message = "HTTP " + std::to_string(result.status) + " with an empty body";
    }
  }
  out.vendor_failure = result.error || result.status == 0 || result.status >= 500;
  // 401 after the one refresh, or 403: the vendor refuses the connector's credential (or its
  // scope), not this record. The dispatcher holds the connector's pushes instead of
  // dead-lettering the roster one operator at a time.
  out.credential_refused = !result.error && (result.status == 401 || result.status == 403);
  if (!result.error) {
    BackoffConfig unbounded = backoff;
    unbounded.max_delay = std::chrono::milliseconds::max();
    out.requested_retry_after =
        server_requested_delay(unbounded, result.status, result.headers, now);
    if (out.requested_retry_after) {
      out.retry_after = std::min(*out.requested_retry_after, backoff.max_delay);
    }
    out.throttle_connector = result.status == 429 && out.retry_after.has_value();
  }
  return out;
}

}  // namespace opsync
