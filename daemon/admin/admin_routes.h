#pragma once
// The admin API's routing, with no network: one request in, one response out. The server adds
// the connection handling (deadlines, limits, keep-alive) around it.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "admin/admin_backend.h"

namespace opsync::admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// Route labels for the request counter: the path templates, or "unmatched".
namespace route {
inline constexpr std::string_view healthz = "/healthz";
inline constexpr std::string_view readyz = "/readyz";
inline constexpr std::string_view metrics = "/metrics";
inline constexpr std::string_view status = "/status";
inline constexpr std::string_view operator_view = "/operators/{id}";
inline constexpr std::string_view resync = "/operators/{id}/resync";
inline constexpr std::string_view resume = "/connectors/{name}/resume";
inline constexpr std::string_view bulk_resync = "/connectors/{name}/resync";
inline constexpr std::string_view dead_letters = "/dead-letters";
inline constexpr std::string_view dead_letters_retry = "/dead-letters/retry";
inline constexpr std::string_view reconcile = "/connectors/{name}/reconcile";
inline constexpr std::string_view unmatched = "unmatched";
}  // namespace route

struct Routed {
  Response response;
  std::string_view route;  ///< one of the route:: labels
};

/// Answers `request`. With `bearer_token` set, a request without `Authorization: Bearer <token>`
/// gets 401 whatever its path. Exceptions from the backend become 500 (and are logged). The
/// response's version and keep-alive are left for the caller; the payload is prepared.
Routed route_request(const Request& request, AdminBackend& backend,
                     const std::optional<std::string>& bearer_token);

/// A response with a JSON `{"error": message}` body.
Response error_response(boost::beast::http::status status, std::string_view message);

}  // namespace opsync::admin
