#include "identitycall/identitycall_connector.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <utility>

#include "framework/delivery_settings.h"
#include "framework/vendor_call.h"
#include "framework/vendor_read.h"
#include "identitycall/identitycall_mapping.h"

namespace opsync {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

bool is_operator_id(std::string_view id) {
  return is_identitycall_id(id);
}

std::optional<std::string> id_text(const json::value* id) {
  return identitycall_id_text(id);
}

}  // namespace

IdentityCallConnector::IdentityCallConnector(std::string name, IdentityCallSettings settings,
                                             std::shared_ptr<HttpTransport> transport,
                                             ConnectorClock clock)
    : VendorConnector(std::move(name), std::move(settings), std::move(transport), std::move(clock)),
      auth_(settings_.api_key.reveal()),
      directory_(
          {.vendor = "IdentityCall"},
          [this](VendorDirectory::Sink sink) { return walk_operators(std::move(sink)); },
          clock_.steady()) {
  if (!transport_) throw std::invalid_argument("identitycall connector: no transport");
  steps_ = {
      .vendor = "IdentityCall",
      .id_noun = "an IdentityCall operator id",
      .is_id = is_operator_id,
      .check_learned_ids = false,  // id_text() reads them
      .delete_policy = identitycall_delete_policy(settings_),
      .create_missing = settings_.create_missing,
      .create = [this](const PushContext& context) { return create(context); },
      .remove = [this](const std::string& id) { return remove(id); },
      .update =
          [this](const std::string& id, const json::object& body) {
            return send(json_request("PATCH", "/operators/" + id, &body));
          },
      // Fields IdentityCall cannot clear ("Name can't be blank", "Phone number can't be blank",
      // a boolean): a canonical value that disappears leaves the vendor's value as it is. Only
      // `email` takes null ("Send null to clear").
      .sendable =
          [](const json::object& changed) {
            return without_clears_of(changed, {"name", "phone_number", "active"});
          },
  };
}

MapResult IdentityCallConnector::map(const CanonicalOperator& op) const {
  return map_identitycall_operator(op);
}

asio::awaitable<PushResult> IdentityCallConnector::send(HttpRequest request, HttpResult* raw) {
  request.timeout = settings_.request_timeout;
  HttpResult result = co_await send_with_auth(*transport_, auth_, request);
  PushResult r = classify(result, request, identitycall_error_message);
  if (raw != nullptr) *raw = std::move(result);
  co_return r;
}

asio::awaitable<IdentityCallConnector::List> IdentityCallConnector::fetch_list(
    RequestPriority priority) {
  HttpRequest request = json_request("GET", "/operators", nullptr);
  request.priority = priority;
  HttpResult result;
  List out;
  PushResult listed = co_await send(std::move(request), &result);
  if (!result.ok()) {
    out.failure = std::move(listed);
    co_return out;
  }
  std::optional<json::object> o = parse_json_object(result.body);
  json::value* data = o ? o->if_contains("data") : nullptr;
  if (data == nullptr || !data->is_array()) {
    listed.outcome = PushOutcome::permanent;
    listed.message = "IdentityCall operator list: the answer has no \"data\" array";
    out.failure = std::move(listed);
    co_return out;
  }
  out.operators = std::move(data->as_array());
  co_return out;
}

asio::awaitable<std::optional<PushResult>> IdentityCallConnector::walk_operators(
    VendorDirectory::Sink sink) {
  List listed = co_await fetch_list(RequestPriority::live);
  if (listed.failure) co_return std::move(listed.failure);
  for (const json::value& op : listed.operators) {
    const json::object* fields = op.if_object();
    if (fields == nullptr) continue;
    const json::value* e = fields->if_contains("email");
    if (e == nullptr || !e->is_string()) continue;
    if (auto id = id_text(fields->if_contains("id"))) sink(e->as_string(), *id);
  }
  co_return std::nullopt;
}

asio::awaitable<ReadResult> IdentityCallConnector::list_operators(std::optional<std::string> page) {
  if (page) {
    co_return failed_read(
        permanent_result("IdentityCall's operator list has no page '" + *page + "'"));
  }
  List listed = co_await fetch_list(RequestPriority::background);
  if (listed.failure) co_return failed_read(std::move(*listed.failure));
  ReadResult out;
  for (const json::value& op : listed.operators) {
    if (auto record = identitycall_vendor_record(op)) out.records.push_back(std::move(*record));
  }
  co_return out;
}

asio::awaitable<ReadResult> IdentityCallConnector::read_operator(std::string vendor_id) {
  if (!is_operator_id(vendor_id)) {
    co_return failed_read(
        permanent_result("'" + vendor_id + "' is not an IdentityCall operator id"));
  }
  HttpRequest request = json_request("GET", "/operators/" + vendor_id, nullptr);
  request.priority = RequestPriority::background;
  HttpResult result;
  PushResult r = co_await send(std::move(request), &result);
  // 404: deleted (a hard delete) or outside the key's project; either way not there for us.
  if (r.status == 404 && !r.vendor_failure) co_return not_found_read(std::move(r));
  if (r.outcome != PushOutcome::ok) co_return failed_read(std::move(r));
  std::optional<json::object> o = parse_json_object(result.body);
  const json::value* data = o ? o->if_contains("data") : nullptr;
  std::optional<VendorRecord> record = data ? identitycall_vendor_record(*data) : std::nullopt;
  co_return one_record_read(
      std::move(record), std::move(r),
      "IdentityCall operator " + vendor_id + ": the answer has no \"data\" operator");
}

bool IdentityCallConnector::in_step(std::string_view field, const json::value& vendor,
                                    const json::value& desired) const {
  if (field == "email") return same_email(vendor, desired);
  return Connector::in_step(field, vendor, desired);
}

asio::awaitable<PushResult> IdentityCallConnector::create(const PushContext& context) {
  json::object body = without_nulls(context.desired);
  if (!body.contains("name") || !body.contains("phone_number")) {
    co_return permanent_result(
        "operator " + context.operator_id +
        " is unmapped in IdentityCall and cannot be created without a name and "
        "a phone number");
  }
  if (context.outcome_unknown && !body.contains("email") && body.at("name").is_string() &&
      body.at("phone_number").is_string()) {
    // An earlier create may have been applied with its answer lost. With an e-mail the
    // directory finds it; without one, name plus phone number is the natural key.
    std::optional<PushResult> failure;
    std::optional<std::string> found = co_await find_by_name_and_phone(
        std::string(body.at("name").as_string()), std::string(body.at("phone_number").as_string()),
        context.vendor_id_taken, failure);
    if (failure) co_return std::move(*failure);
    if (found) {
      PushResult r = co_await send(json_request("PATCH", "/operators/" + *found, &body));
      r.vendor_id = std::move(found);
      if (r.outcome == PushOutcome::ok) r.acknowledged = std::move(body);
      co_return r;
    }
  }
  HttpResult result;
  PushResult r = co_await send(json_request("POST", "/operators", &body), &result);
  if (r.outcome != PushOutcome::ok) co_return r;
  const std::optional<json::object> answer = parse_json_object(result.body);
  const json::value* data = answer ? answer->if_contains("data") : nullptr;
  std::optional<std::string> id =
      data && data->is_object() ? id_text(data->as_object().if_contains("id")) : std::nullopt;
  if (!id) {
    r.outcome = PushOutcome::permanent;
    r.message = "IdentityCall created the operator but its answer has no \"data.id\"";
    co_return r;
  }
  r.vendor_id = std::move(id);
  r.acknowledged = std::move(body);
  co_return r;
}

asio::awaitable<std::optional<std::string>> IdentityCallConnector::find_by_name_and_phone(
    const std::string& name, const std::string& phone,
    const std::function<bool(std::string_view)>& taken, std::optional<PushResult>& failure) {
  HttpResult result;
  PushResult listed = co_await send(json_request("GET", "/operators", nullptr), &result);
  if (!result.ok()) {
    failure = std::move(listed);
    co_return std::nullopt;
  }
  const std::optional<json::object> o = parse_json_object(result.body);
  const json::value* data = o ? o->if_contains("data") : nullptr;
  if (data == nullptr || !data->is_array()) {
    listed.outcome = PushOutcome::permanent;
    listed.message = "IdentityCall operator list: the answer has no \"data\" array";
    failure = std::move(listed);
    co_return std::nullopt;
  }
  for (const json::value& op : data->as_array()) {
    const json::object* fields = op.if_object();
    if (fields == nullptr) continue;
    const json::value* e = fields->if_contains("email");
    if (e != nullptr && e->is_string() && !e->as_string().empty()) continue;
    const json::value* n = fields->if_contains("name");
    const json::value* p = fields->if_contains("phone_number");
    if (n == nullptr || p == nullptr || !n->is_string() || !p->is_string()) continue;
    if (n->as_string() != name || p->as_string() != phone) continue;
    // A namesake with the same phone that another operator is mapped to is not this one's.
    if (auto id = id_text(fields->if_contains("id")); id && !(taken && taken(*id))) co_return id;
  }
  co_return std::nullopt;
}

asio::awaitable<PushResult> IdentityCallConnector::remove(const std::string& vendor_id) {
  PushResult r = co_await send(json_request("DELETE", "/operators/" + vendor_id, nullptr));
  if (r.status == 404 && !r.vendor_failure) {  // already gone (or outside the key's project)
    r.outcome = PushOutcome::ok;
    r.message = "IdentityCall operator " + vendor_id + ": " + r.message;
  }
  co_return r;
}

asio::awaitable<PushResult> IdentityCallConnector::push(PushContext context) {
  co_return co_await push_by_id(std::move(context), directory_, steps_);
}

}  // namespace opsync
