#pragma once
// The IdentityCall connector: static bearer key, partial updates with
// PATCH /operators/{id}, id lookup by email in a directory filled from GET /operators
// (framework/vendor_directory.h), optional create, deactivate or hard DELETE on operator.deleted
// (the steps of framework/id_push.h).

#include <boost/json/array.hpp>
#include <memory>
#include <optional>
#include <string>

#include "common/auth.h"
#include "common/http_transport.h"
#include "framework/id_push.h"
#include "framework/vendor_connector.h"
#include "framework/vendor_directory.h"
#include "identitycall/identitycall_errors.h"
#include "identitycall/identitycall_settings.h"

namespace opsync {

class IdentityCallConnector final : public VendorConnector<IdentityCallSettings> {
 public:
  /// `transport` sends to settings.base_url (an HttpClient, or a fake in tests); `clock` drives
  /// the age of the operator directory. Throws std::invalid_argument for an unusable key.
  IdentityCallConnector(std::string name, IdentityCallSettings settings,
                        std::shared_ptr<HttpTransport> transport, ConnectorClock clock = {});

  std::string_view type() const override { return "identitycall"; }
  MapResult map(const CanonicalOperator& op) const override;
  DeletePolicy delete_policy() const override { return identitycall_delete_policy(settings_); }
  boost::asio::awaitable<PushResult> push(PushContext context) override;
  /// `GET /operators` (`{data: [...]}`, no paging: one page), each as
  /// identitycall_vendor_record().
  boost::asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override;
  /// `GET /operators/{id}`; 404 (hard-deleted, or outside the key's project) is not_found.
  boost::asio::awaitable<ReadResult> read_operator(std::string vendor_id) override;
  /// email without case; else equality.
  bool in_step(std::string_view field, const boost::json::value& vendor,
               const boost::json::value& desired) const override;

  /// Walks of IdentityCall's operator list made so far (tests).
  std::uint64_t directory_walks() const { return directory_.walks(); }

 private:
  /// Sends `request`; its answer as a PushResult, with IdentityCall's error message.
  boost::asio::awaitable<PushResult> send(HttpRequest request, HttpResult* raw = nullptr);
  /// The operators of `GET /operators`, or the failure.
  struct List {
    boost::json::array operators;
    std::optional<PushResult> failure;
  };
  boost::asio::awaitable<List> fetch_list(RequestPriority priority);
  boost::asio::awaitable<std::optional<PushResult>> walk_operators(VendorDirectory::Sink sink);
  boost::asio::awaitable<PushResult> create(const PushContext& context);
  /// The operator with this name and phone number and no e-mail, if the list has one (where a
  /// create without an e-mail whose answer was lost is looked for). Sets `failure` when the list
  /// call failed.
  boost::asio::awaitable<std::optional<std::string>> find_by_name_and_phone(
      const std::string& name, const std::string& phone,
      const std::function<bool(std::string_view)>& taken, std::optional<PushResult>& failure);
  boost::asio::awaitable<PushResult> remove(const std::string& vendor_id);

  StaticBearer auth_;
  VendorDirectory directory_;
  IdPushSteps steps_;
};

}  // namespace opsync
