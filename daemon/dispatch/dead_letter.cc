#include "dispatch/dead_letter.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/redact.h"
#include "ingest/ingest_batch.h"

namespace opsync {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

boost::json::object base_record(const Connector& connector, const std::string& operator_id,
                                std::string_view reason) {
  return {{"reason", reason},
          {"connector", connector.name()},
          {"connector_type", connector.type()},
          {"operator_id", operator_id}};
}

DeadLetter make_letter(const Connector& connector, const std::string& operator_id,
                       std::string_view reason, const boost::json::object& value,
                       const std::string& detail) {
  DeadLetter letter;
  letter.key = operator_id;
  letter.value = boost::json::serialize(value);
  letter.headers = {{dlq_header::kReason, std::string(reason)},
                    {dispatch_dlq_header::kConnector, connector.name()},
                    {dispatch_dlq_header::kOperatorId, operator_id}};
  if (!detail.empty()) letter.headers.push_back({dlq_header::kDetail, detail.substr(0, 512)});
  return letter;
}

}  // namespace

DeadLetter vendor_dead_letter(const Connector& connector, const std::string& operator_id,
                              const PushResult& result) {
  boost::json::object value = base_record(connector, operator_id, "vendor_rejected");
  value["status"] = result.status;
  value["message"] = result.message;
  value["response_body"] = redact_json_body(result.response_body.substr(0, kMaxBody));
  if (result.request) {
    const HttpRequest request = redact_request(*result.request);
    boost::json::array headers;
    for (const auto& h : request.headers) headers.push_back({h.name, h.value});
    value["request"] = {{"method", request.method},
                        {"target", request.target},
                        {"headers", std::move(headers)},
                        {"body", request.body.substr(0, kMaxBody)}};
  }
  DeadLetter letter = make_letter(connector, operator_id, "vendor_rejected", value, result.message);
  letter.headers.push_back({dispatch_dlq_header::kVendorStatus, std::to_string(result.status)});
  return letter;
}

DeadLetter mapping_dead_letter(const Connector& connector, const std::string& operator_id,
                               const std::string& error) {
  boost::json::object value = base_record(connector, operator_id, "mapping_failed");
  value["message"] = error;
  return make_letter(connector, operator_id, "mapping_failed", value, error);
}

}  // namespace opsync
