#include "glia/glia_connector.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <utility>

#include "framework/delivery_settings.h"
#include "framework/vendor_call.h"

namespace opsync {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr int kPageAttempts = 6;  // per page of a walk, before the walk (and push) is retried
constexpr int kMaxPages = 1000;   // a bound on following next_page (30 000 operators at 30/page)
constexpr std::size_t kMaxMessage = 1024;

// Fields Glia cannot clear (null is refused, "" is blank): a canonical value that disappears
// leaves the vendor's value as it is.
constexpr std::string_view kNotClearable[] = {"name", "email", "assignments", "audio_source",
                                              "enabled"};

HttpRequest glia_request(std::string method, std::string target, const json::object* body) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  set_header(request.headers, "Accept", GliaConnector::kMediaType);
  if (body != nullptr) {
    set_header(request.headers, "Content-Type", "application/json");
    request.body = json::serialize(*body);
  }
  return request;
}

// Glia ids are UUIDs; anything that is not a plain path segment is refused rather than escaped.
bool is_path_id(std::string_view id) {
  return !id.empty() &&
         std::all_of(id.begin(), id.end(),
                     [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                              (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.';
                     }) &&
         id != "." && id != "..";
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

std::chrono::seconds refresh_ahead(std::chrono::seconds lifetime) {
  return std::min(std::chrono::seconds(300), lifetime / 5);
}

}  // namespace

std::string glia_error_message(unsigned status, std::string_view body) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) {
    if (body.empty()) return "HTTP " + std::to_string(status);
    return std::string(body.substr(0, kMaxMessage));
  }
  std::string message;
  for (std::string_view key : {"message", "error"}) {
    if (const json::value* v = o->if_contains(key); v && v->is_string() && message.empty()) {
      message = v->as_string();
    }
  }
  if (const json::value* errors = o->if_contains("errors"); errors && errors->is_object()) {
    std::string details;
    for (const auto& [field, messages] : errors->as_object()) {
      // A named copy: lambdas may not capture structured bindings before C++20 (clang < 16).
      const std::string_view name = field;
      auto add = [&](const json::value& m) {
        details += (details.empty() ? "" : "; ") + std::string(name) + " " +
                   (m.is_string() ? std::string(m.as_string()) : json::serialize(m));
      };
      if (messages.is_array()) {
        for (const auto& m : messages.as_array()) add(m);
      } else {
        add(messages);
      }
    }
    if (!details.empty()) message += (message.empty() ? "" : ": ") + details;
  }
  if (message.empty()) message = std::string(body.substr(0, kMaxMessage));
  return message;
}

GliaConnector::GliaConnector(std::string name, GliaSettings settings,
                             std::shared_ptr<HttpTransport> transport, TokenExchange::Clock clock)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      mapping_(GliaMapping::from_settings(name_, settings_)),
      transport_(std::move(transport)),
      directory_(
          {.vendor = "Glia"},
          [this](VendorDirectory::Sink sink) { return walk_operators(std::move(sink)); }, clock) {
  if (!transport_) throw std::invalid_argument("glia connector: no transport");
  TokenExchange::Options options;
  options.api_key_id = settings_.api_key_id.reveal();
  options.api_key_secret = settings_.api_key_secret.reveal();
  set_header(options.headers, "Accept", kMediaType);
  options.lifetime = settings_.token_lifetime;
  options.refresh_ahead = refresh_ahead(settings_.token_lifetime);
  options.timeout = settings_.request_timeout;
  auth_ = std::make_unique<TokenExchange>(*transport_, std::move(options), std::move(clock));
}

MapResult GliaConnector::map(const CanonicalOperator& op) const {
  return map_glia_operator(op, mapping_);
}

DeliveryLimits GliaConnector::limits() const {
  return delivery_limits(settings_);
}

asio::awaitable<HttpResult> GliaConnector::call(HttpRequest& request) {
  request.timeout = settings_.request_timeout;
  co_return co_await send_with_auth(*transport_, *auth_, request);
}

PushResult GliaConnector::finish(const HttpResult& result, const HttpRequest& request) const {
  PushResult r =
      push_result_from_http(result, request, std::chrono::system_clock::now(), limits().backoff);
  if (!result.error && !result.ok()) r.message = glia_error_message(result.status, result.body);
  return r;
}

asio::awaitable<std::optional<PushResult>> GliaConnector::walk_operators(
    VendorDirectory::Sink sink) {
  for (int page = 1; page <= kMaxPages; ++page) {
    HttpRequest request = glia_request(
        "GET", "/operators?include_disabled=true&page=" + std::to_string(page), nullptr);
    // A walk of a large roster is hundreds of pages: one failed page must not throw away the
    // others, so a page that can be retried is, a few times, honouring Retry-After.
    HttpResult result;
    for (int attempt = 1;; ++attempt) {
      result = co_await call(request);
      if (result.ok()) break;
      PushResult failed = finish(result, request);
      if (failed.outcome != PushOutcome::retry || attempt >= kPageAttempts) co_return failed;
      const auto wait = std::min<std::chrono::milliseconds>(
          failed.retry_after.value_or(std::chrono::milliseconds(100 << attempt)),
          page_retry_pause_cap_);
      asio::steady_timer timer(co_await asio::this_coro::executor, wait);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return failed;  // cancelled: the push is being abandoned
    }
    boost::system::error_code ec;
    const json::value body = json::parse(result.body, ec);
    const json::object* o = ec ? nullptr : body.if_object();
    const json::value* operators = o ? o->if_contains("operators") : nullptr;
    if (operators == nullptr || !operators->is_array()) {
      PushResult bad = finish(result, request);
      bad.outcome = PushOutcome::permanent;
      bad.message = "Glia operator list: the answer has no \"operators\" array";
      co_return bad;
    }
    for (const json::value& op : operators->as_array()) {
      const json::object* fields = op.if_object();
      if (fields == nullptr) continue;
      const json::value* e = fields->if_contains("email");
      const json::value* id = fields->if_contains("id");
      if (e && e->is_string() && id && id->is_string()) sink(e->as_string(), id->as_string());
    }
    const json::value* next = o->if_contains("next_page");
    if (next == nullptr || next->is_null()) break;
  }
  co_return std::nullopt;
}

asio::awaitable<PushResult> GliaConnector::create(const PushContext& context) {
  json::object body;
  for (const auto& [key, value] : context.desired) {
    if (!value.is_null()) body[key] = value;
  }
  if (!body.contains("name") || !body.contains("email")) {
    co_return permanent_result(
        "operator " + context.operator_id +
        " is unmapped in Glia and cannot be created without a name and an email");
  }
  HttpRequest request = glia_request("POST", "/operators", &body);
  HttpResult result = co_await call(request);
  PushResult r = finish(result, request);
  if (r.outcome == PushOutcome::permanent && result.status == 422 &&
      r.message.find("has already been taken") != std::string::npos && context.attempt < 3) {
    // Glia already has an operator with this e-mail, most likely this one: made by a create
    // whose answer was lost (a reset, or the daemon killed mid-push) or by hand since the last
    // walk. Walk again and retry, which finds and updates it; after a few tries the refusal is
    // final (a dead letter with Glia's words).
    directory_.mark_stale();
    r.outcome = PushOutcome::retry;
    co_return r;
  }
  if (r.outcome != PushOutcome::ok) co_return r;
  boost::system::error_code ec;
  const json::value answer = json::parse(result.body, ec);
  const json::value* id =
      ec || !answer.is_object() ? nullptr : answer.as_object().if_contains("id");
  if (id == nullptr || !id->is_string() || id->as_string().empty()) {
    r.outcome = PushOutcome::permanent;
    r.message = "Glia created the operator but its answer has no \"id\"";
    co_return r;
  }
  r.vendor_id = std::string(id->as_string());
  r.acknowledged = std::move(body);
  co_return r;
}

asio::awaitable<PushResult> GliaConnector::remove(const std::string& vendor_id) {
  HttpRequest request = glia_request("DELETE", "/operators/" + vendor_id, nullptr);
  HttpResult result = co_await call(request);
  PushResult r = finish(result, request);
  if (!result.error && result.status == 404) {  // already gone: the goal of a delete
    r.outcome = PushOutcome::ok;
    r.message = "Glia operator " + vendor_id + " was already gone";
  }
  co_return r;
}

asio::awaitable<PushResult> GliaConnector::push(PushContext context) {
  if (context.vendor_id && !is_path_id(*context.vendor_id)) {
    co_return permanent_result("'" + *context.vendor_id + "' is not a Glia operator id");
  }
  if (context.deleted && delete_policy() == DeletePolicy::remove) {
    if (!context.vendor_id) {
      co_return permanent_result("operator " + context.operator_id + " has no Glia id to delete");
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
    if (!is_path_id(*resolved.id)) {
      co_return permanent_result("Glia returned '" + *resolved.id +
                                 "', which is not an operator id");
    }
    learned = id = std::move(*resolved.id);
  }

  json::object body = sendable(context.changed);
  if (body.empty()) {
    PushResult nothing;
    nothing.vendor_id = learned;
    co_return nothing;
  }
  HttpRequest request = glia_request("POST", "/operators/" + id, &body);
  HttpResult result = co_await call(request);
  PushResult r = finish(result, request);
  if (!result.error && result.status == 404) {
    directory_.forget_id(id);  // gone at Glia: the next lookup walks the list again
    if (learned) {
      // The id came from the directory, which was out of date: look up (or create) again.
      r.outcome = PushOutcome::retry;
      r.message = "Glia operator " + id + " (found by email) is gone: " + r.message;
      co_return r;
    }
  }
  r.vendor_id = learned;
  co_return r;
}

}  // namespace opsync
