#pragma once
// One authenticated vendor call, with the "a 401 refreshes the credentials once" rule, and the
// JSON pieces most vendors' calls share.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/auth.h"
#include "common/http_transport.h"

namespace opsync {

/// Applies `auth` to `request` and sends it. On a 401 it invalidates the credentials, applies
/// them again and re-sends once. A failure to obtain credentials comes back as an HttpResult with
/// `error` set (retryable auth outage) or with the token endpoint's status (rejected keys).
/// `request` is left holding the last request sent (credentials included: redact before storing).
boost::asio::awaitable<HttpResult> send_with_auth(HttpTransport& transport, AuthProvider& auth,
                                                  HttpRequest& request);

/// A request with `Accept: accept` and, when `body` is set, `body` as JSON (with its
/// Content-Type).
HttpRequest json_request(std::string method, std::string target, const boost::json::object* body,
                         std::string_view accept = "application/json");

/// `body` as a JSON object; nullopt when it is not one.
std::optional<boost::json::object> parse_json_object(std::string_view body);

/// The message of an error answer whose body is not a JSON object: the body cut to `max`
/// characters, or "HTTP <status>" when it is empty.
std::string raw_error_message(unsigned status, std::string_view body, std::size_t max = 1024);

/// `fields` without its null values (the body of a create from the mapped record).
boost::json::object without_nulls(const boost::json::object& fields);

/// `changed` without the clears (nulls) of the fields a vendor cannot clear: the vendor keeps
/// its value.
boost::json::object without_clears_of(const boost::json::object& changed,
                                      std::initializer_list<std::string_view> not_clearable);

}  // namespace opsync
