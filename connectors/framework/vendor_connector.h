#pragma once
// The members every vendor connector has, declared once: the instance name, the settings (a
// DeliverySettings, framework/delivery_settings.h), the transport and the clock, with name(),
// limits(), request_budget() and the classification of a vendor call's answer built on them. A
// connector is `class XConnector final : public VendorConnector<XSettings>`; its constructor takes
// (name, settings, transport, ConnectorClock clock = {}) like every other one.

#include <memory>
#include <string>
#include <utility>

#include "common/http_transport.h"
#include "common/request_budget.h"
#include "framework/connector.h"
#include "framework/connector_clock.h"
#include "framework/delivery_settings.h"

namespace opsync {

template <class Settings>
class VendorConnector : public Connector {
 public:
  const std::string& name() const final { return name_; }
  DeliveryLimits limits() const final { return settings_.limits(); }
  /// The budget of the transport when it is a MeteredTransport (as http_connector_type builds
  /// it), else nullptr.
  RequestBudget* request_budget() final { return budget_.get(); }

 protected:
  /// The vendor's words for an answer that is not 2xx (`<type>_error_message`, <type>_errors.h).
  using Describe = std::string (*)(unsigned status, std::string_view body);

  VendorConnector(std::string name, Settings settings, std::shared_ptr<HttpTransport> transport,
                  ConnectorClock clock)
      : name_(std::move(name)),
        settings_(std::move(settings)),
        transport_(std::move(transport)),
        clock_(std::move(clock)) {
    if (auto* metered = dynamic_cast<MeteredTransport*>(transport_.get())) {
      budget_ = metered->budget();
    }
  }

  /// push_result_from_http at the wall clock's time with limits().backoff; the message of an
  /// answer that is not 2xx is `describe(status, body)`.
  PushResult classify(const HttpResult& result, const HttpRequest& request,
                      Describe describe) const {
    PushResult r = push_result_from_http(result, request, clock_.wall_now(), limits().backoff);
    if (!result.error && !result.ok()) r.message = describe(result.status, result.body);
    return r;
  }

  std::string name_;
  Settings settings_;
  std::shared_ptr<HttpTransport> transport_;
  ConnectorClock clock_;
  std::shared_ptr<RequestBudget> budget_;
};

}  // namespace opsync
