#include "framework/success_answer.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdio>

namespace opsync {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type value, without its parameters ("text/html").
std::string_view media_type(std::string_view content_type) {
  return trim(content_type.substr(0, content_type.find(';')));
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

bool content_type_allows_json(const HttpHeaders& headers) {
  const std::optional<std::string_view> type = find_header(headers, "Content-Type");
  if (!type) return true;
  const std::string_view media = media_type(*type);
  return iequals(media, "application/json") || ends_with_ci(media, "+json");
}

std::optional<boost::json::object> success_object(const HttpResult& result) {
  if (!content_type_allows_json(result.headers)) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(result.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string describe_answer(const HttpResult& result) {
  const std::optional<std::string_view> type = find_header(result.headers, "Content-Type");
  std::string out = type && !media_type(*type).empty()
                        ? std::string(media_type(*type).substr(0, 64))
                        : std::string("no Content-Type");
  const std::size_t n = result.body.size();
  if (n == 0) {
    out += ", empty body";
  } else if (n < 1000) {
    out += ", " + std::to_string(n) + " bytes";
  } else {
    char size[32];
    std::snprintf(size, sizeof size, "%.1f kB", static_cast<double>(n) / 1000.0);
    out += ", ";
    out += size;
  }
  return out;
}

void doubt_success(PushResult& r, const HttpResult& result, std::string_view vendor,
                   std::string_view problem) {
  r.outcome = PushOutcome::retry;
  r.vendor_failure = true;
  r.acknowledged.reset();
  r.response_body.clear();
  r.message = std::string(vendor) + " answered " + std::to_string(result.status) + " but " +
              std::string(problem) + " (" + describe_answer(result) + ")";
}

std::optional<std::string> json_id_text(const boost::json::value* id) {
  if (id == nullptr) return std::nullopt;
  if (id->is_string() && !id->as_string().empty()) return std::string(id->as_string());
  if (id->is_int64()) return std::to_string(id->as_int64());
  if (id->is_uint64()) return std::to_string(id->as_uint64());
  return std::nullopt;
}

}  // namespace opsync
