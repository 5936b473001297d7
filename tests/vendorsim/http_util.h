// HTTP and JSON helpers shared by the vendor simulators and the control API.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsync::vendorsim {

namespace http = boost::beast::http;
namespace json = boost::json;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using Rng = std::mt19937_64;

/// What the server does with one request: answer it (after `delay`), reset the connection
/// without answering, or never answer.
struct Reply {
  enum class Action { respond, reset, hang };
  Action action = Action::respond;
  std::chrono::milliseconds delay{0};
  HttpResponse response;
};

/// A response with a JSON body; HTTP version and keep-alive follow the request.
HttpResponse json_response(const HttpRequest& req, http::status status, const json::value& body);
/// A response without a body.
HttpResponse empty_response(const HttpRequest& req, http::status status);

/// A request target split into percent-decoded path segments and query parameters.
struct Target {
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;
  /// The first value of query parameter `key`, if present.
  std::optional<std::string> param(std::string_view key) const;
  /// True when the path is exactly `expected` (empty strings in `expected` match any segment).
  bool path_is(std::initializer_list<std::string_view> expected) const;
};
/// Parses an origin-form target ("/a/b?x=1"); a trailing slash is ignored.
std::optional<Target> parse_target(std::string_view target);

/// The value of header `name`, or "" when absent.
std::string_view header(const HttpRequest& req, std::string_view name);
/// The token of an `Authorization: Bearer <token>` header.
std::optional<std::string> bearer_token(const HttpRequest& req);
/// User and password of an `Authorization: Basic <base64>` header.
std::optional<std::pair<std::string, std::string>> basic_credentials(const HttpRequest& req);
/// True when Content-Type names `media_type` (parameters such as charset are ignored).
bool has_media_type(const HttpRequest& req, std::string_view media_type);

/// Parses a body that must be one JSON object.
std::optional<json::object> parse_object(std::string_view body);
/// Decodes an application/x-www-form-urlencoded body into an object, expanding bracket keys
/// (`chat[available]=1` becomes {"chat":{"available":"1"}}, `a[]=x` appends to an array).
json::object parse_form(std::string_view body);
/// Expands bracket keys of a JSON object the same way (`{"chat[available]":1}`).
json::object expand_bracket_keys(const json::object& object);

std::string random_string(Rng& rng, std::size_t length, std::string_view alphabet);
std::string random_alnum(Rng& rng, std::size_t length);
std::string random_uuid(Rng& rng);
std::string iso8601(std::chrono::system_clock::time_point time);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);

/// The integer in a JSON value (int64 or uint64 that fits), or std::nullopt.
std::optional<std::int64_t> json_int(const json::value& value);
/// Keys of `object` not in `allowed`.
std::vector<std::string> unknown_keys(const json::object& object,
                                      std::initializer_list<std::string_view> allowed);

/// E.164: '+', a non-zero digit, at most 15 digits in all.
bool is_e164(std::string_view phone);
/// A plain address check: one '@', a non-empty local part, a dotted domain, no spaces.
bool is_email(std::string_view email);
/// A two-letter ISO 639-1 language code.
bool is_iso639_1(std::string_view code);

}  // namespace opsync::vendorsim
