#pragma once
// The IdentityCall connector: static bearer key, partial updates with
// PATCH /operators/{id}, id lookup by email in a directory filled from GET /operators
// (framework/vendor_directory.h), optional create, deactivate or hard DELETE on operator.deleted.

#include <memory>
#include <optional>
#include <string>

#include "common/auth.h"
#include "common/http_transport.h"
#include "framework/connector.h"
#include "framework/vendor_directory.h"
#include "identitycall/identitycall_settings.h"

namespace opsync {

class IdentityCallConnector final : public Connector {
 public:
  /// `transport` sends to settings.base_url (an HttpClient, or a fake in tests); `clock` drives
  /// the age of the operator directory. Throws std::invalid_argument for an unusable key.
  IdentityCallConnector(
      std::string name, IdentityCallSettings settings, std::shared_ptr<HttpTransport> transport,
      VendorDirectory::Clock clock = [] { return std::chrono::steady_clock::now(); });

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "identitycall"; }
  MapResult map(const CanonicalOperator& op) const override;
  DeletePolicy delete_policy() const override { return identitycall_delete_policy(settings_); }
  DeliveryLimits limits() const override;
  boost::asio::awaitable<PushResult> push(PushContext context) override;

  /// Walks of IdentityCall's operator list made so far (tests).
  std::uint64_t directory_walks() const { return directory_.walks(); }

 private:
  boost::asio::awaitable<HttpResult> call(HttpRequest& request);
  boost::asio::awaitable<std::optional<PushResult>> walk_operators(VendorDirectory::Sink sink);
  boost::asio::awaitable<PushResult> create(const PushContext& context);
  boost::asio::awaitable<PushResult> remove(const std::string& vendor_id);
  PushResult finish(const HttpResult& result, const HttpRequest& request) const;

  std::string name_;
  IdentityCallSettings settings_;
  std::shared_ptr<HttpTransport> transport_;
  StaticBearer auth_;
  VendorDirectory directory_;
};

/// The message of an IdentityCall error answer: `{"error": "..."}` gives its text,
/// `{"errors": ["A", "B"]}` gives "A; B"; other bodies are returned cut.
std::string identitycall_error_message(unsigned status, std::string_view body);

}  // namespace opsync
