#pragma once
// How the iAdvize connector reads iAdvize's answers: the envelope `{"meta": {"status":
// "success"|"fail"|"error", "message": ...}, "data": ...}`, and the classification of a call's
// result from it.

#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "framework/connector.h"

namespace opsync::iadvize {

struct Envelope {
  std::string status;   ///< meta.status; empty when absent
  std::string message;  ///< meta.message; empty when absent
  boost::json::value data;
};

/// The envelope of a response body; nullopt when the body is not a JSON object with `meta`.
std::optional<Envelope> parse_envelope(std::string_view body);

/// push_result_from_http, then the envelope: a 2xx whose meta.status is not `success` fails too
/// (`error`, the server's fault, retries; `fail` or anything else is permanent), and the message
/// of any failure is iAdvize's own meta.message when it sent one.
PushResult classify(const HttpResult& result, const HttpRequest& request,
                    std::chrono::system_clock::time_point now, const BackoffConfig& backoff = {});

}  // namespace opsync::iadvize
