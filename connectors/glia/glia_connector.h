#pragma once
// The Glia connector: token-exchange auth, `Accept: application/vnd.salemove.v1+json` on every
// call, partial updates with POST /operators/{id}, id lookup by email in a directory filled from
// the paged operator list (framework/vendor_directory.h), optional create, deactivate or DELETE
// on operator.deleted (the steps of framework/id_push.h).

#include <boost/json/array.hpp>
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
  /// One page of `GET /operators?include_disabled=true&page=N` (cursor: the page number; the
  /// next one while Glia answers a `next_page`), each operator as glia_vendor_record().
  boost::asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override;
  /// `GET /operators/{id}`; 404 is not_found.
  boost::asio::awaitable<ReadResult> read_operator(std::string vendor_id) override;
  /// email without case; assignments as sets (glia_assignments_set); else equality.
  bool in_step(std::string_view field, const boost::json::value& vendor,
               const boost::json::value& desired) const override;

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
  /// One page of the operator list: its operators, whether another follows, or the failure.
  struct Page {
    boost::json::array operators;
    bool more = false;
    std::optional<PushResult> failure;
  };
  /// `GET /operators?include_disabled=true&page=N`, retried up to `attempts` times in all.
  boost::asio::awaitable<Page> fetch_page(int page, RequestPriority priority, int attempts);
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
