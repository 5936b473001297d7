#include "commpeak/commpeak_connector.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/redact.h"
#include "commpeak/commpeak_mapping.h"
#include "framework/vendor_call.h"
#include "framework/vendor_read.h"

namespace opsync {

namespace {

bool is_user_id(std::string_view id) {
  return !id.empty() && id.size() <= 18 && id.front() != '0' &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A value CommPeak shows as a string ("7") or a number (7), as text.
std::optional<std::string> id_text(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return std::nullopt;
}

// Fields whose clear ("") CommPeak would refuse: numbers, flags, enumerations.
bool cannot_be_empty(std::string_view field) {
  return field == "timezone_id" || field == "default_language" ||
         field == "max_concurrent_sessions" || field == "is_active" || field == "use_webrtc";
}

}  // namespace

CommPeakConnector::CommPeakConnector(std::string name, CommPeakSettings settings,
                                     std::shared_ptr<HttpTransport> transport, ConnectorClock clock)
    : VendorConnector(std::move(name), std::move(settings), std::move(transport), std::move(clock)),
      tables_(settings_.tables(name_)),
      auth_(settings_.username, settings_.password.reveal()),
      directory_(
          {.vendor = "CommPeak"},
          [this](VendorDirectory::Sink sink) { return walk_users(std::move(sink)); },
          clock_.steady()) {}

MapResult CommPeakConnector::map(const CanonicalOperator& op) const {
  return map_commpeak_user(op, tables_);
}

boost::asio::awaitable<PushResult> CommPeakConnector::push(PushContext context) {
  std::optional<std::string> learned;
  std::string id;
  if (context.vendor_id && !context.vendor_id->empty()) {
    id = *context.vendor_id;
    if (!is_user_id(id)) {
      co_return permanent_result("CommPeak user id '" + id +
                                 "' is not a positive number (check external_ids." + name_ + ")");
    }
  } else {
    PushResult found = co_await look_up(context);
    if (found.outcome != PushOutcome::ok) co_return found;
    id = *found.vendor_id;
    learned = id;
  }

  boost::json::object body;
  for (const auto& [key, value] : context.changed) {
    // A cleared number or enumeration cannot be sent as "": CommPeak keeps its value.
    if (value.is_string() && value.as_string().empty() && cannot_be_empty(key)) continue;
    body[key] = value;
  }
  if (body.empty()) {
    PushResult out;
    out.vendor_id = learned;
    co_return out;
  }
  PushResult out = co_await call("PUT", "/api/users/" + id, boost::json::serialize(body));
  // The answer is the user with every value as a string: not comparable with the mapped
  // fields, so the shadow takes what was sent (acknowledged stays empty).
  if (out.outcome == PushOutcome::ok) out.vendor_id = learned;
  if (out.status == 404 && !out.vendor_failure) {  // "User not found", not a transport error
    directory_.forget_id(id);
    if (learned) {
      // The directory's id is gone: look the user up afresh on the retry.
      out.outcome = PushOutcome::retry;
    } else {
      // The id the push was given is gone: the dispatcher forgets it and pushes again without
      // one, which looks the user up by e-mail (CommPeak cannot create one).
      out.vendor_id_gone = true;
    }
  }
  co_return out;
}

boost::asio::awaitable<CommPeakConnector::List> CommPeakConnector::fetch_users(
    RequestPriority priority) {
  HttpResult raw;
  List out;
  PushResult listed = co_await call("GET", "/api/users", {}, &raw, priority);
  if (listed.outcome != PushOutcome::ok) {
    listed.message = "(GET /api/users): " + listed.message;
    out.failure = std::move(listed);
    co_return out;
  }
  auto answer = parse_json_object(raw.body);
  boost::json::value* users = answer ? answer->if_contains("users") : nullptr;
  if (users == nullptr || !users->is_array()) {
    listed.outcome = PushOutcome::permanent;
    listed.message = "(GET /api/users): the answer has no 'users' list";
    out.failure = std::move(listed);
    co_return out;
  }
  out.users = std::move(users->as_array());
  co_return out;
}

boost::asio::awaitable<std::optional<PushResult>> CommPeakConnector::walk_users(
    VendorDirectory::Sink sink) {
  List listed = co_await fetch_users(RequestPriority::live);
  if (listed.failure) {
    listed.failure->message = "user lookup " + listed.failure->message;
    co_return std::move(listed.failure);
  }
  const boost::json::array& users = listed.users;
  std::unordered_map<std::string, std::string> first;
  std::unordered_map<std::string, std::size_t> ambiguous;  // e-mail -> users holding it
  for (const auto& user : users) {
    if (!user.is_object()) continue;
    const auto* e = user.as_object().if_contains("email");
    if (e == nullptr || !e->is_string() || e->as_string().empty()) continue;
    auto id = id_text(user.as_object().if_contains("id"));
    if (!id || !is_user_id(*id)) continue;
    std::string key = lower(e->as_string());
    if (!first.emplace(key, *id).second) {
      auto [it, inserted] = ambiguous.try_emplace(std::move(key), 1);
      ++it->second;
    }
  }
  for (const auto& [email, id] : first) {
    if (!ambiguous.contains(email)) sink(email, id);
  }
  ambiguous_ = std::move(ambiguous);
  co_return std::nullopt;
}

boost::asio::awaitable<PushResult> CommPeakConnector::look_up(const PushContext& context) {
  const auto* email = context.desired.if_contains("email");
  if (email == nullptr || !email->is_string() || email->as_string().empty()) {
    co_return permanent_result("unmapped: no CommPeak user id for operator '" +
                               context.operator_id + "' and no e-mail to look it up by; provide " +
                               "external_ids." + name_);
  }
  VendorDirectory::Lookup found = co_await directory_.find(email->as_string());
  if (found.failure) co_return std::move(*found.failure);
  if (!found.id) {
    auto several = ambiguous_.find(lower(email->as_string()));
    co_return permanent_result(
        several != ambiguous_.end()
            ? "unmapped: " + std::to_string(several->second) +
                  " CommPeak users have the e-mail of operator '" + context.operator_id +
                  "'; provide external_ids." + name_
            : "unmapped: no CommPeak user has the e-mail of operator '" + context.operator_id +
                  "' (CommPeak has no create call); provide external_ids." + name_);
  }
  PushResult out;
  out.vendor_id = std::move(found.id);
  co_return out;
}

boost::asio::awaitable<PushResult> CommPeakConnector::call(std::string method, std::string target,
                                                           std::string body, HttpResult* raw,
                                                           RequestPriority priority) {
  HttpRequest request;
  request.priority = priority;
  request.method = std::move(method);
  request.target = std::move(target);
  request.headers.push_back({"Accept", "application/json"});
  if (!body.empty()) request.headers.push_back({"Content-Type", "application/json"});
  request.body = std::move(body);
  HttpResult result = co_await send_with_auth(*transport_, auth_, request);
  PushResult out = classify(result, request, commpeak_error_message);
  out.request = redact_request(request);
  out.response_body = redact_json_body(result.body);
  if (raw != nullptr) *raw = std::move(result);
  co_return out;
}

boost::asio::awaitable<ReadResult> CommPeakConnector::list_operators(
    std::optional<std::string> page) {
  if (page) {
    co_return failed_read(permanent_result("CommPeak's user list has no page '" + *page + "'"));
  }
  List listed = co_await fetch_users(RequestPriority::background);
  // The list call is unconfirmed: a tenant that answers 404 or 405 has none.
  if (listed.failure) {
    listed.failure->message = "user list " + listed.failure->message;
    co_return failed_read(std::move(*listed.failure), true);
  }
  ReadResult out;
  for (const auto& user : listed.users) {
    if (auto record = commpeak_vendor_record(user)) out.records.push_back(std::move(*record));
  }
  co_return out;
}

boost::asio::awaitable<ReadResult> CommPeakConnector::read_operator(std::string vendor_id) {
  if (!is_user_id(vendor_id)) {
    co_return failed_read(
        permanent_result("CommPeak user id '" + vendor_id + "' is not a positive number"));
  }
  HttpResult raw;
  PushResult r =
      co_await call("GET", "/api/users/" + vendor_id, {}, &raw, RequestPriority::background);
  if (r.status == 404 && !r.vendor_failure) co_return not_found_read(std::move(r));
  if (r.outcome != PushOutcome::ok) co_return failed_read(std::move(r));
  std::optional<VendorRecord> record;
  if (auto answer = parse_json_object(raw.body)) record = commpeak_vendor_record(*answer);
  co_return one_record_read(std::move(record), std::move(r),
                            "CommPeak user " + vendor_id + ": the answer is not a user with an id");
}

bool CommPeakConnector::in_step(std::string_view field, const boost::json::value& vendor,
                                const boost::json::value& desired) const {
  if (field == "email") return same_email(vendor, desired);
  return Connector::in_step(field, vendor, desired);
}

}  // namespace opsync
