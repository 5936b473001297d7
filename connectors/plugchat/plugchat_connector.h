#pragma once
// The Plug Chat connector: integrator API, static bearer token, `Content-Type:
// application/json` on every call. Update is `PUT .../operators` with the id in the body and the
// full required set (id, name, active, departments); create is `POST .../operators`. No delete
// exists: a deleted operator is pushed with `active: false`. A create whose outcome is unknown
// (PushContext::outcome_unknown) is looked for in the operator list before creating again: a
// record with the same name and every other mapped value, that no other operator of this
// connector is mapped to (names are not unique, so the name alone would adopt a namesake).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth.h"
#include "common/http_transport.h"
#include "framework/mapping_tables.h"
#include "framework/vendor_connector.h"
#include "plugchat/plugchat_errors.h"
#include "plugchat/plugchat_settings.h"

namespace opsync {

class PlugChatConnector final : public VendorConnector<PlugChatSettings> {
 public:
  /// `transport` sends to `settings.base_url` (an HttpClient, or a fake in tests); `clock` dates
  /// Retry-After answers. Throws std::invalid_argument for an unusable token (empty, control
  /// characters).
  PlugChatConnector(std::string name, PlugChatSettings settings,
                    std::shared_ptr<HttpTransport> transport, ConnectorClock clock = {});

  std::string_view type() const override { return "plugchat"; }
  MapResult map(const CanonicalOperator& op) const override;
  /// name, active, departments: the update call refuses a body without them (id is added by push).
  const std::vector<std::string>& required_fields() const override;
  /// Every mapped field is always present, so nothing is ever cleared.
  ClearStyle clear_style() const override { return ClearStyle::unsupported; }
  DeletePolicy delete_policy() const override { return DeletePolicy::deactivate; }
  boost::asio::awaitable<PushResult> push(PushContext context) override;
  /// `GET .../operators`: the whole list in one page (Plug Chat has no paging), each entry as
  /// plugchat_vendor_record().
  boost::asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override;
  /// Plug Chat has no get-one call: lists the operators and picks `vendor_id` (not_found when
  /// the list does not hold it). A pass should list instead, which costs the same one request.
  boost::asio::awaitable<ReadResult> read_operator(std::string vendor_id) override;
  /// departments as sets; else equality.
  bool in_step(std::string_view field, const boost::json::value& vendor,
               const boost::json::value& desired) const override;

  /// The path of the operators collection: `/integrator/account/{account_id}/operators`.
  std::string operators_path() const;

 private:
  boost::asio::awaitable<PushResult> send(std::string method, const boost::json::object& body);
  /// Whether Plug Chat's operator list holds `id`; nullopt when the list could not be read.
  boost::asio::awaitable<std::optional<bool>> lists_operator(const std::string& id);
  /// `GET .../operators`: the entries, or the failure.
  boost::asio::awaitable<ReadResult> list_all(RequestPriority priority);
  /// After a create whose outcome is unknown: the id of the record that create would have made
  /// (see the file comment), or nullopt; `failure` is set when the list could not be read.
  boost::asio::awaitable<std::optional<std::string>> find_lost_create(
      const PushContext& context, std::optional<PushResult>& failure);

  MappingTables tables_;
  StaticBearer auth_;
};

}  // namespace opsync
