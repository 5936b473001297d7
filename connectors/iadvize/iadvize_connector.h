#pragma once
// The iAdvize REST v2 connector: `PUT /operator/{id}` with the changed fields (form-encoded),
// id resolution by `GET /operator?filters[email]=...` (or `filters[external_id]`), optional
// create (`POST /operator`), and deactivation or `DELETE /operator/{id}` for deleted operators.

#include <memory>
#include <optional>
#include <string>

#include "common/auth.h"
#include "common/http_transport.h"
#include "framework/vendor_connector.h"
#include "iadvize/iadvize_errors.h"
#include "iadvize/iadvize_settings.h"

namespace opsync {

class IAdvizeConnector final : public VendorConnector<IAdvizeSettings> {
 public:
  /// `transport` sends to the settings' base_url (an HttpClient, or a fake in tests); `clock`
  /// dates Retry-After answers. Throws std::invalid_argument for an unusable API key.
  IAdvizeConnector(std::string name, IAdvizeSettings settings,
                   std::shared_ptr<HttpTransport> transport, ConnectorClock clock = {});

  std::string_view type() const override { return "iadvize"; }
  MapResult map(const CanonicalOperator& op) const override;
  /// Clears arrive as null; wire_fields() turns them into what iAdvize accepts.
  ClearStyle clear_style() const override { return ClearStyle::null_value; }
  DeletePolicy delete_policy() const override { return settings_.policy(); }
  boost::asio::awaitable<PushResult> push(PushContext context) override;
  /// `GET /operator?page=N&limit=100` (cursor: the page number; another page while
  /// `meta.total` says there are more, or, without it, while a page is full), each entry as
  /// iadvize::vendor_record().
  boost::asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override;
  /// `GET /operator/{id}`; 404 is not_found.
  boost::asio::awaitable<ReadResult> read_operator(std::string vendor_id) override;
  /// email without case; roles and language_list as sets; else equality.
  bool in_step(std::string_view field, const boost::json::value& vendor,
               const boost::json::value& desired) const override;

 private:
  struct Lookup;
  boost::asio::awaitable<Lookup> find_operator(const PushContext& context);
  boost::asio::awaitable<PushResult> call(std::string method, std::string target, std::string body,
                                          RequestPriority priority = RequestPriority::live);
  boost::asio::awaitable<PushResult> remove(PushContext context);

  MappingTables tables_;
  ApiKeyHeader auth_;
};

}  // namespace opsync
