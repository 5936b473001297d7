#pragma once
// The CommPeak connector: HTTP Basic, `PUT /api/users/{id}` with the fields to update (partial).
// No create and no delete exist: an unknown user is looked up by e-mail in `GET /api/users`
// (unconfirmed), and a deleted operator is pushed with `is_active: 0`.

#include <boost/json/array.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/auth.h"
#include "common/http_transport.h"
#include "commpeak/commpeak_errors.h"
#include "commpeak/commpeak_settings.h"
#include "framework/mapping_tables.h"
#include "framework/vendor_connector.h"
#include "framework/vendor_directory.h"

namespace opsync {

class CommPeakConnector final : public VendorConnector<CommPeakSettings> {
 public:
  /// `transport` sends to `settings.base_url` (an HttpClient, or a fake in tests); `clock` drives
  /// the age of the user directory and dates Retry-After answers. Throws std::invalid_argument
  /// for unusable credentials (':' in the user, control characters).
  CommPeakConnector(std::string name, CommPeakSettings settings,
                    std::shared_ptr<HttpTransport> transport, ConnectorClock clock = {});

  std::string_view type() const override { return "commpeak"; }
  MapResult map(const CanonicalOperator& op) const override;
  /// Strings are cleared with "". Fields that cannot be empty (timezone_id, default_language,
  /// max_concurrent_sessions, flags) are not sent when cleared: CommPeak keeps its value.
  ClearStyle clear_style() const override { return ClearStyle::empty_string; }
  DeletePolicy delete_policy() const override { return DeletePolicy::deactivate; }
  boost::asio::awaitable<PushResult> push(PushContext context) override;
  /// `GET /api/users` (`{users: [...]}`, unconfirmed; one page), each as
  /// commpeak_vendor_record(). A 404 or 405 (the tenant has no such call) is unsupported: the
  /// pass reads `GET /api/users/{id}` per mapped id instead.
  boost::asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override;
  /// `GET /api/users/{id}`; 404 is not_found.
  boost::asio::awaitable<ReadResult> read_operator(std::string vendor_id) override;
  /// email without case; else equality.
  bool in_step(std::string_view field, const boost::json::value& vendor,
               const boost::json::value& desired) const override;

  /// Walks of `GET /api/users` made so far (tests).
  std::uint64_t directory_walks() const { return directory_.walks(); }

 private:
  /// The user id whose e-mail is `email` (case-insensitive), or a PushResult saying why not.
  /// Answered from the instance's copy of the user list (VendorDirectory: one `GET /api/users`
  /// per run, again on a miss once it is a minute old), not one list call per push.
  boost::asio::awaitable<PushResult> look_up(const PushContext& context);
  /// The users of `GET /api/users`, or the failure.
  struct List {
    boost::json::array users;
    std::optional<PushResult> failure;
  };
  boost::asio::awaitable<List> fetch_users(RequestPriority priority);
  boost::asio::awaitable<std::optional<PushResult>> walk_users(VendorDirectory::Sink sink);
  boost::asio::awaitable<PushResult> call(std::string method, std::string target, std::string body,
                                          HttpResult* raw = nullptr,
                                          RequestPriority priority = RequestPriority::live);

  MappingTables tables_;
  BasicAuth auth_;
  /// E-mails (lower case) held by more than one user in the last walk, with how many: never
  /// guessed.
  std::unordered_map<std::string, std::size_t> ambiguous_;
  VendorDirectory directory_;
};

}  // namespace opsync
