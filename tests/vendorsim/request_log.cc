#include "vendorsim/request_log.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace opsync::vendorsim {
namespace {

constexpr std::string_view kRedacted = "***";

bool is_secret_key(std::string_view key) {
  static constexpr std::array<std::string_view, 9> kSecretKeys{
      "api_key_secret", "password",     "registration_password",
      "accesstoken",    "access_token", "token",
      "api_key",        "secret",       "sso_key"};
  std::string lower = to_lower(key);
  for (std::string_view secret : kSecretKeys)
    if (lower == secret) return true;
  return false;
}

void redact_json(json::value& value) {
  if (value.is_object()) {
    for (auto& [key, v] : value.as_object()) {
      if (is_secret_key(key) && !v.is_null())
        v = kRedacted;
      else
        redact_json(v);
    }
  } else if (value.is_array()) {
    for (auto& v : value.as_array()) redact_json(v);
  }
}

std::string redact_form(std::string_view body) {
  std::string out;
  while (!body.empty()) {
    std::string_view pair = body.substr(0, body.find('&'));
    body.remove_prefix(std::min(body.size(), pair.size() + 1));
    if (!out.empty()) out.push_back('&');
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view base = key.substr(0, key.find_first_of("[%"));
    if (eq != std::string_view::npos && is_secret_key(base)) {
      out.append(key).append("=").append(kRedacted);
    } else {
      out.append(pair);
    }
  }
  return out;
}

}  // namespace

bool is_secret_header(std::string_view name) {
  return iequals(name, "Authorization") || iequals(name, "Proxy-Authorization") ||
         iequals(name, "X-API-Key") || iequals(name, "Cookie") || iequals(name, "Set-Cookie");
}

std::string redact_body(std::string_view body, std::string_view content_type) {
  if (body.empty()) return {};
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec) {
    redact_json(parsed);
    return json::serialize(parsed);
  }
  std::string type = to_lower(content_type.substr(0, content_type.find(';')));
  if (type == "application/x-www-form-urlencoded") return redact_form(body);
  return std::string(body);
}

void RequestLog::add(const HttpRequest& req, std::chrono::system_clock::time_point received,
                     std::optional<unsigned> status, FaultKind fault) {
  if (capacity_ == 0) {  // nothing would be kept: skip building the entry
    ++next_seq_;
    ++dropped_;
    return;
  }
  json::object headers;
  for (const auto& field : req) {
    std::string name(field.name_string());
    headers[name] = is_secret_header(name) ? kRedacted : std::string_view(field.value());
  }
  json::object entry;
  entry["seq"] = next_seq_++;
  entry["time"] = iso8601(received);
  entry["method"] = std::string_view(req.method_string());
  entry["target"] = std::string_view(req.target());
  entry["headers"] = std::move(headers);
  std::string body = redact_body(req.body(), header(req, "Content-Type"));
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  entry["body"] = body;
  if (!ec && !body.empty()) entry["json"] = std::move(parsed);
  entry["status"] = status ? json::value(*status) : json::value(nullptr);
  entry["fault"] = fault == FaultKind::none ? json::value(nullptr) : json::value(fault_name(fault));
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
}

json::array RequestLog::to_json() const {
  json::array out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) out.push_back(entry);
  return out;
}

void RequestLog::clear() {
  entries_.clear();
}

void ReceiptLog::add(const HttpRequest& req, std::chrono::system_clock::time_point received,
                     std::optional<unsigned> status) {
  entries_.push_back(
      {std::chrono::duration_cast<std::chrono::microseconds>(received.time_since_epoch()).count(),
       status, std::string(req.method_string()), std::string(req.target()),
       redact_body(req.body(), header(req, "Content-Type"))});
}

json::object ReceiptLog::since(std::uint64_t from) const {
  json::array out;
  const std::uint64_t first = std::max(from, base_);
  const std::uint64_t next = base_ + entries_.size();
  if (first < next) out.reserve(next - first);
  for (std::uint64_t i = first; i < next; ++i) {
    const Entry& e = entries_[i - base_];
    out.push_back(json::object{{"time_us", e.time_us},
                               {"status", e.status ? json::value(*e.status) : json::value(nullptr)},
                               {"method", e.method},
                               {"target", e.target},
                               {"body", e.body}});
  }
  return {{"from", first}, {"next", next}, {"receipts", std::move(out)}};
}

void ReceiptLog::clear() {
  base_ += entries_.size();
  entries_.clear();
}

void TrafficStats::count(std::optional<unsigned> status, FaultKind fault) {
  ++total_;
  if (status) ++by_status_[*status];
  if (fault != FaultKind::none) ++by_fault_[std::string(fault_name(fault))];
}

json::object TrafficStats::to_json() const {
  json::object statuses;
  for (const auto& [status, n] : by_status_) statuses[std::to_string(status)] = n;
  json::object faults;
  for (const auto& [fault, n] : by_fault_) faults[fault] = n;
  return {{"total", total_}, {"by_status", std::move(statuses)}, {"by_fault", std::move(faults)}};
}

}  // namespace opsync::vendorsim
