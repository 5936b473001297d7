#include "iadvize/iadvize_errors.h"

#include <boost/json/parse.hpp>

namespace opsync::iadvize {

std::optional<Envelope> parse_envelope(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::value* meta = v.as_object().if_contains("meta");
  if (meta == nullptr || !meta->is_object()) return std::nullopt;
  Envelope out;
  if (const auto* s = meta->as_object().if_contains("status"); s && s->is_string()) {
    out.status = s->as_string();
  }
  if (const auto* m = meta->as_object().if_contains("message"); m && m->is_string()) {
    out.message = m->as_string();
  }
  if (const auto* d = v.as_object().if_contains("data")) out.data = *d;
  return out;
}

PushResult classify(const HttpResult& result, const HttpRequest& request,
                    std::chrono::system_clock::time_point now, const BackoffConfig& backoff) {
  PushResult out = push_result_from_http(result, request, now, backoff);
  if (result.error) return out;
  const std::optional<Envelope> envelope = parse_envelope(result.body);
  if (!envelope) return out;
  if (out.outcome == PushOutcome::ok && envelope->status != "success") {
    // iAdvize may report a failure inside a 2xx envelope.
    out.outcome = envelope->status == "error" ? PushOutcome::retry : PushOutcome::permanent;
    out.vendor_failure = envelope->status == "error";
    out.message = envelope->message.empty()
                      ? "iAdvize answered meta.status '" + envelope->status + "'"
                      : envelope->message;
  } else if (out.outcome != PushOutcome::ok && !envelope->message.empty()) {
    out.message = envelope->message;
  }
  return out;
}

}  // namespace opsync::iadvize
