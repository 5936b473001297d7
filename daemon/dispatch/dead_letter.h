#pragma once
// The dead-letter records the dispatcher writes when a push cannot succeed: the vendor rejected
// it (permanent 4xx), or the record cannot be mapped for that vendor.

#include <string>

#include "framework/connector.h"
#include "store/state_store.h"

namespace opsync {

/// Header names of a dispatch dead letter (besides dlq_header::kReason / kDetail).
namespace dispatch_dlq_header {
inline constexpr const char* kConnector = "opsync-connector";
inline constexpr const char* kOperatorId = "opsync-operator-id";
inline constexpr const char* kVendorStatus = "opsync-vendor-status";
}  // namespace dispatch_dlq_header

/// Reason `vendor_rejected`. Key: the operator id. Value: JSON with the connector, the request
/// (secrets redacted), the vendor's status, message and response body.
DeadLetter vendor_dead_letter(const Connector& connector, const std::string& operator_id,
                              const PushResult& result);

/// Reason `mapping_failed`, with the mapping error as detail.
DeadLetter mapping_dead_letter(const Connector& connector, const std::string& operator_id,
                               const std::string& error);

}  // namespace opsync
