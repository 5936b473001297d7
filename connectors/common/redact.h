#pragma once
// Stripping credentials from requests and responses before they are stored or logged (the
// dead-letter record, debug logs).

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "common/http_message.h"

namespace opsync {

/// The text that replaces a secret.
inline constexpr std::string_view kRedacted = "***";

/// True for names that carry credentials: Authorization, Proxy-Authorization, Cookie,
/// Set-Cookie, X-API-Key, and any name containing "token", "secret", "password", "passwd",
/// "apikey", "api-key", "api_key" or "session" (ASCII case-insensitive). Also used for query
/// parameter and JSON member names.
bool is_secret_name(std::string_view name);

/// A copy of `headers` with the value of every secret header replaced by "***".
HttpHeaders redact_headers(const HttpHeaders& headers);

/// `target` with the value of every secret query parameter replaced by "***"
/// ("/x?api_key=abc&a=1" -> "/x?api_key=***&a=1").
std::string redact_target(std::string_view target);

/// Replaces, in place and at any depth, the value of every object member with a secret name
/// (e.g. Plug Chat's "accessToken", Glia's "api_key_secret", "token").
void redact_json(boost::json::value& value);

/// A copy of `body` with redact_json applied when it is JSON; a body that does not parse as JSON
/// is returned unchanged.
std::string redact_json_body(std::string_view body);

/// A copy of `request` with headers, target and (JSON) body redacted.
HttpRequest redact_request(const HttpRequest& request);

}  // namespace opsync
