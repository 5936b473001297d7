#pragma once
// The Glia connector: token-exchange auth, `Accept: application/vnd.salemove.v1+json` on every
// call, partial updates with POST /operators/{id}, id lookup by email in a directory filled from
// the paged operator list (framework/vendor_directory.h), optional create, deactivate or DELETE
// on operator.deleted (the steps of framework/id_push.h).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/http_transport.h"
#include "common/token_exchange.h"
#include "framework/id_push.h"
#include "framework/vendor_connector.h"
#include "framework/vendor_directory.h"
#include "glia/glia_errors.h"
#include "glia/glia_mapping.h"
#include "glia/glia_settings.h"

namespace opsync {

class GliaConnector final : public VendorConnector<GliaSettings> {
 public:
  inline static constexpr std::string_view kMediaType = "application/vnd.salemove.v1+json";

  /// `transport` sends to settings.base_url (an HttpClient, or a fake in tests); `clock` drives
  /// token expiry and the age of the operator directory. Throws std::invalid_argument for
  /// unusable credentials.
  GliaConnector(std::string name, GliaSettings settings, std::shared_ptr<HttpTransport> transport,
                ConnectorClock clock = {});

  std::string_view type() const override { return "glia"; }
  MapResult map(const CanonicalOperator& op) const override;
  DeletePolicy delete_policy() const override { return glia_delete_policy(settings_); }
  boost::asio::awaitable<PushResult> push(PushContext context) override;

  /// Token requests made so far (metrics, tests).
  std::uint64_t token_fetches() const { return auth_->fetches(); }
  /// Walks of Glia's operator list made so far (tests).
  std::uint64_t directory_walks() const { return directory_.walks(); }
  /// The longest pause before retrying a failed page of the operator list (5 s). The fuzz
  /// harness sets 0, so that an input does not sleep (tests/fuzz/glia_response_fuzz.cc).
  void set_page_retry_pause_cap(std::chrono::milliseconds cap) { page_retry_pause_cap_ = cap; }

 private:
  boost::asio::awaitable<HttpResult> call(HttpRequest& request);
  /// The answer of `request` as a PushResult, with Glia's error message.
  boost::asio::awaitable<PushResult> send(HttpRequest request, HttpResult* raw = nullptr);
  boost::asio::awaitable<std::optional<PushResult>> walk_operators(VendorDirectory::Sink sink);
  boost::asio::awaitable<PushResult> create(const PushContext& context);
  boost::asio::awaitable<PushResult> remove(const std::string& vendor_id);

  GliaMapping mapping_;
  std::unique_ptr<TokenExchange> auth_;
  VendorDirectory directory_;
  std::chrono::milliseconds page_retry_pause_cap_ = std::chrono::seconds(5);
  IdPushSteps steps_;
};

}  // namespace opsync
