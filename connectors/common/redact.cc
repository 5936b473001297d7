#include "common/redact.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace opsync {

namespace {

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

}  // namespace

bool is_secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 5> kExact = {"authorization", "proxy-authorization",
                                                             "cookie", "set-cookie", "x-api-key"};
  // Session identifiers are credentials; a plain "session" is not (CommPeak's
  // max_concurrent_sessions is an ordinary field and must stay readable in dead letters).
  static constexpr std::array<std::string_view, 12> kContains = {
      "token",   "secret",    "password",   "passwd",     "apikey",     "api-key",
      "api_key", "sessionid", "session_id", "session-id", "sessionkey", "session_key"};
  return std::any_of(kExact.begin(), kExact.end(),
                     [&](std::string_view e) { return iequals(name, e); }) ||
         std::any_of(kContains.begin(), kContains.end(),
                     [&](std::string_view c) { return icontains(name, c); });
}

HttpHeaders redact_headers(const HttpHeaders& headers) {
  HttpHeaders out = headers;
  for (auto& h : out) {
    if (is_secret_name(h.name)) h.value = std::string(kRedacted);
  }
  return out;
}

std::string redact_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view rest = target.substr(q + 1);
  std::string_view fragment;
  if (const auto f = rest.find('#'); f != std::string_view::npos) {
    fragment = rest.substr(f);
    rest = rest.substr(0, f);
  }
  bool first = true;
  while (true) {
    const auto amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && is_secret_name(param.substr(0, eq))) {
      out.append(param.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  out.append(fragment);
  return out;
}

void redact_json(boost::json::value& value) {
  if (auto* obj = value.if_object()) {
    for (auto& member : *obj) {
      if (is_secret_name(member.key())) {
        member.value() = kRedacted;
      } else {
        redact_json(member.value());
      }
    }
  } else if (auto* arr = value.if_array()) {
    for (auto& element : *arr) redact_json(element);
  }
}

std::string redact_json_body(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) return std::string(body);
  redact_json(value);
  return boost::json::serialize(value);
}

HttpRequest redact_request(const HttpRequest& request) {
  HttpRequest out;
  out.method = request.method;
  out.target = redact_target(request.target);
  out.headers = redact_headers(request.headers);
  out.body = redact_json_body(request.body);
  out.timeout = request.timeout;
  return out;
}

}  // namespace opsync
