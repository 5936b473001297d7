#include "identitycall/identitycall_connector.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <utility>

#include "framework/delivery_settings.h"
#include "framework/vendor_call.h"
#include "identitycall/identitycall_mapping.h"

namespace opsync {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::size_t kMaxMessage = 1024;

// Fields IdentityCall cannot clear ("Name can't be blank", "Phone number can't be blank", a
// boolean): a canonical value that disappears leaves the vendor's value as it is. Only `email`
// takes null ("Send null to clear").
constexpr std::string_view kNotClearable[] = {"name", "phone_number", "active"};

HttpRequest identitycall_request(std::string method, std::string target, const json::object* body) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  set_header(request.headers, "Accept", "application/json");
  if (body != nullptr) {
    set_header(request.headers, "Content-Type", "application/json");
    request.body = json::serialize(*body);
  }
  return request;
}

// IdentityCall ids are integers.
bool is_operator_id(std::string_view id) {
  return !id.empty() && id.size() <= 19 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> id_text(const json::value* id) {
  if (id == nullptr) return std::nullopt;
  if (auto n = id->if_int64(); n && *n > 0) return std::to_string(*n);
  if (auto n = id->if_uint64(); n && *n > 0) return std::to_string(*n);
  if (id->is_string() && is_operator_id(id->as_string())) return std::string(id->as_string());
  return std::nullopt;
}

json::object sendable(const json::object& changed) {
  json::object out;
  for (const auto& [key, value] : changed) {
    const bool keep =
        !value.is_null() || std::find(std::begin(kNotClearable), std::end(kNotClearable),
                                      std::string_view(key)) == std::end(kNotClearable);
    if (keep) out[key] = value;
  }
  return out;
}

}  // namespace

std::string identitycall_error_message(unsigned status, std::string_view body) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) {
    if (body.empty()) return "HTTP " + std::to_string(status);
    return std::string(body.substr(0, kMaxMessage));
  }
  if (const json::value* e = o->if_contains("error"); e && e->is_string()) {
    return std::string(e->as_string());
  }
  if (const json::value* errors = o->if_contains("errors"); errors && errors->is_array()) {
    std::string out;
    for (const auto& e : errors->as_array()) {
      out += (out.empty() ? "" : "; ") +
             (e.is_string() ? std::string(e.as_string()) : json::serialize(e));
    }
    if (!out.empty()) return out;
  }
  return std::string(body.substr(0, kMaxMessage));
}

IdentityCallConnector::IdentityCallConnector(std::string name, IdentityCallSettings settings,
                                             std::shared_ptr<HttpTransport> transport,
                                             VendorDirectory::Clock clock)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      transport_(std::move(transport)),
      auth_(settings_.api_key.reveal()),
      directory_(
          {.vendor = "IdentityCall"},
          [this](VendorDirectory::Sink sink) { return walk_operators(std::move(sink)); },
          std::move(clock)) {
  if (!transport_) throw std::invalid_argument("identitycall connector: no transport");
}

MapResult IdentityCallConnector::map(const CanonicalOperator& op) const {
  return map_identitycall_operator(op);
}

DeliveryLimits IdentityCallConnector::limits() const {
  return delivery_limits(settings_);
}

asio::awaitable<HttpResult> IdentityCallConnector::call(HttpRequest& request) {
  request.timeout = settings_.request_timeout;
  co_return co_await send_with_auth(*transport_, auth_, request);
}

PushResult IdentityCallConnector::finish(const HttpResult& result,
                                         const HttpRequest& request) const {
  PushResult r =
      push_result_from_http(result, request, std::chrono::system_clock::now(), limits().backoff);
  if (!result.error && !result.ok()) {
    r.message = identitycall_error_message(result.status, result.body);
  }
  return r;
}

asio::awaitable<std::optional<PushResult>> IdentityCallConnector::walk_operators(
    VendorDirectory::Sink sink) {
  HttpRequest request = identitycall_request("GET", "/operators", nullptr);
  HttpResult result = co_await call(request);
  if (!result.ok()) co_return finish(result, request);
  boost::system::error_code ec;
  const json::value body = json::parse(result.body, ec);
  const json::object* o = ec ? nullptr : body.if_object();
  const json::value* data = o ? o->if_contains("data") : nullptr;
  if (data == nullptr || !data->is_array()) {
    PushResult bad = finish(result, request);
    bad.outcome = PushOutcome::permanent;
    bad.message = "IdentityCall operator list: the answer has no \"data\" array";
    co_return bad;
  }
  for (const json::value& op : data->as_array()) {
    const json::object* fields = op.if_object();
    if (fields == nullptr) continue;
    const json::value* e = fields->if_contains("email");
    if (e == nullptr || !e->is_string()) continue;
    if (auto id = id_text(fields->if_contains("id"))) sink(e->as_string(), *id);
  }
  co_return std::nullopt;
}

asio::awaitable<PushResult> IdentityCallConnector::create(const PushContext& context) {
  json::object body;
  for (const auto& [key, value] : context.desired) {
    if (!value.is_null()) body[key] = value;
  }
  if (!body.contains("name") || !body.contains("phone_number")) {
    co_return permanent_result(
        "operator " + context.operator_id +
        " is unmapped in IdentityCall and cannot be created without a name and "
        "a phone number");
  }
  HttpRequest request = identitycall_request("POST", "/operators", &body);
  HttpResult result = co_await call(request);
  PushResult r = finish(result, request);
  if (r.outcome != PushOutcome::ok) co_return r;
  boost::system::error_code ec;
  const json::value answer = json::parse(result.body, ec);
  const json::value* data =
      ec || !answer.is_object() ? nullptr : answer.as_object().if_contains("data");
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

asio::awaitable<PushResult> IdentityCallConnector::remove(const std::string& vendor_id) {
  HttpRequest request = identitycall_request("DELETE", "/operators/" + vendor_id, nullptr);
  HttpResult result = co_await call(request);
  PushResult r = finish(result, request);
  if (!result.error && result.status == 404) {  // already gone (or outside the key's project)
    r.outcome = PushOutcome::ok;
    r.message = "IdentityCall operator " + vendor_id + ": " + r.message;
  }
  co_return r;
}

asio::awaitable<PushResult> IdentityCallConnector::push(PushContext context) {
  if (context.vendor_id && !is_operator_id(*context.vendor_id)) {
    co_return permanent_result("'" + *context.vendor_id + "' is not an IdentityCall operator id");
  }
  if (context.deleted && delete_policy() == DeletePolicy::remove) {
    if (!context.vendor_id) {
      co_return permanent_result("operator " + context.operator_id +
                                 " has no IdentityCall id to delete");
    }
    co_return co_await remove(*context.vendor_id);
  }

  std::optional<std::string> learned;
  std::string id;
  if (context.vendor_id) {
    id = *context.vendor_id;
  } else {
    VendorDirectory::Resolution resolved = co_await directory_.resolve(
        context, settings_.create_missing, [this, &context] { return create(context); });
    if (resolved.done) co_return std::move(*resolved.done);
    learned = id = std::move(*resolved.id);
  }

  json::object body = sendable(context.changed);
  if (body.empty()) {
    PushResult nothing;
    nothing.vendor_id = learned;
    co_return nothing;
  }
  HttpRequest request = identitycall_request("PATCH", "/operators/" + id, &body);
  HttpResult result = co_await call(request);
  PushResult r = finish(result, request);
  if (!result.error && result.status == 404) {
    directory_.forget_id(id);  // gone (or out of the key's scope): the next lookup walks again
    if (learned) {
      // The id came from the directory, which was out of date: look up (or create) again.
      r.outcome = PushOutcome::retry;
      r.message = "IdentityCall operator " + id + " (found by email) is gone: " + r.message;
      co_return r;
    }
  }
  r.vendor_id = learned;
  co_return r;
}

}  // namespace opsync
