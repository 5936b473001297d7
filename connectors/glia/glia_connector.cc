#include "glia/glia_connector.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <stdexcept>
#include <utility>

#include "framework/delivery_settings.h"
#include "framework/vendor_call.h"
#include "framework/vendor_read.h"

namespace opsync {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr int kPageAttempts = 6;  // per page of a walk, before the walk (and push) is retried
constexpr int kMaxPages = 1000;   // a bound on following next_page (30 000 operators at 30/page)

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

std::chrono::seconds refresh_ahead(std::chrono::seconds lifetime) {
  return std::min(std::chrono::seconds(300), lifetime / 5);
}

}  // namespace

GliaConnector::GliaConnector(std::string name, GliaSettings settings,
                             std::shared_ptr<HttpTransport> transport, ConnectorClock clock)
    : VendorConnector(std::move(name), std::move(settings), std::move(transport), std::move(clock)),
      mapping_(GliaMapping::from_settings(name_, settings_)),
      directory_(
          {.vendor = "Glia"},
          [this](VendorDirectory::Sink sink) { return walk_operators(std::move(sink)); },
          clock_.steady()) {
  if (!transport_) throw std::invalid_argument("glia connector: no transport");
  TokenExchange::Options options;
  options.api_key_id = settings_.api_key_id.reveal();
  options.api_key_secret = settings_.api_key_secret.reveal();
  set_header(options.headers, "Accept", kMediaType);
  options.lifetime = settings_.token_lifetime;
  options.refresh_ahead = refresh_ahead(settings_.token_lifetime);
  options.timeout = settings_.request_timeout;
  auth_ = std::make_unique<TokenExchange>(*transport_, std::move(options), clock_.steady());
  steps_ = {
      .vendor = "Glia",
      .id_noun = "a Glia operator id",
      .is_id = is_path_id,
      .delete_policy = glia_delete_policy(settings_),
      .create_missing = settings_.create_missing,
      .create = [this](const PushContext& context) { return create(context); },
      .remove = [this](const std::string& id) { return remove(id); },
      .update =
          [this](const std::string& id, const json::object& body) {
            return send(json_request("POST", "/operators/" + id, &body, kMediaType));
          },
      // Fields Glia cannot clear (null is refused, "" is blank): a canonical value that
      // disappears leaves the vendor's value as it is.
      .sendable =
          [](const json::object& changed) {
            return without_clears_of(changed,
                                     {"name", "email", "assignments", "audio_source", "enabled"});
          },
  };
}

MapResult GliaConnector::map(const CanonicalOperator& op) const {
  return map_glia_operator(op, mapping_);
}

asio::awaitable<HttpResult> GliaConnector::call(HttpRequest& request) {
  request.timeout = settings_.request_timeout;
  co_return co_await send_with_auth(*transport_, *auth_, request);
}

asio::awaitable<PushResult> GliaConnector::send(HttpRequest request, HttpResult* raw) {
  HttpResult result = co_await call(request);
  PushResult r = classify(result, request, glia_error_message);
  if (raw != nullptr) *raw = std::move(result);
  co_return r;
}

asio::awaitable<GliaConnector::Page> GliaConnector::fetch_page(int page, RequestPriority priority,
                                                               int attempts) {
  HttpRequest request = json_request(
      "GET", "/operators?include_disabled=true&page=" + std::to_string(page), nullptr, kMediaType);
  request.priority = priority;
  // A walk of a large roster is hundreds of pages: one failed page must not throw away the
  // others, so a page that can be retried is, a few times, honouring Retry-After.
  HttpResult result;
  Page out;
  for (int attempt = 1;; ++attempt) {
    result = co_await call(request);
    if (result.ok()) break;
    PushResult failed = classify(result, request, glia_error_message);
    if (failed.outcome != PushOutcome::retry || attempt >= attempts) {
      out.failure = std::move(failed);
      co_return out;
    }
    const auto wait = std::min<std::chrono::milliseconds>(
        failed.retry_after.value_or(std::chrono::milliseconds(100 << attempt)),
        page_retry_pause_cap_);
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {  // cancelled: the push is being abandoned
      out.failure = std::move(failed);
      co_return out;
    }
  }
  std::optional<json::object> o = parse_json_object(result.body);
  json::value* operators = o ? o->if_contains("operators") : nullptr;
  if (operators == nullptr || !operators->is_array()) {
    PushResult bad = classify(result, request, glia_error_message);
    bad.outcome = PushOutcome::permanent;
    bad.message = "Glia operator list: the answer has no \"operators\" array";
    out.failure = std::move(bad);
    co_return out;
  }
  out.operators = std::move(operators->as_array());
  const json::value* next = o->if_contains("next_page");
  out.more = next != nullptr && !next->is_null();
  co_return out;
}

asio::awaitable<std::optional<PushResult>> GliaConnector::walk_operators(
    VendorDirectory::Sink sink) {
  for (int page = 1; page <= kMaxPages; ++page) {
    Page got = co_await fetch_page(page, RequestPriority::live, kPageAttempts);
    if (got.failure) co_return std::move(got.failure);
    for (const json::value& op : got.operators) {
      const json::object* fields = op.if_object();
      if (fields == nullptr) continue;
      const json::value* e = fields->if_contains("email");
      const json::value* id = fields->if_contains("id");
      if (e && e->is_string() && id && id->is_string()) sink(e->as_string(), id->as_string());
    }
    if (!got.more) break;
  }
  co_return std::nullopt;
}

asio::awaitable<ReadResult> GliaConnector::list_operators(std::optional<std::string> page) {
  int number = 1;
  if (page) {
    const auto [end, ec] = std::from_chars(page->data(), page->data() + page->size(), number);
    if (ec != std::errc{} || end != page->data() + page->size() || number < 1) {
      co_return failed_read(
          permanent_result("Glia operator list: bad page cursor '" + *page + "'"));
    }
  }
  // One attempt: the pass retries (and paces) failed pages itself.
  Page got = co_await fetch_page(number, RequestPriority::background, 1);
  if (got.failure) co_return failed_read(std::move(*got.failure));
  ReadResult out;
  for (const json::value& op : got.operators) {
    if (auto record = glia_vendor_record(op)) out.records.push_back(std::move(*record));
  }
  if (got.more && number < kMaxPages) out.next_page = std::to_string(number + 1);
  co_return out;
}

asio::awaitable<ReadResult> GliaConnector::read_operator(std::string vendor_id) {
  if (!is_path_id(vendor_id)) {
    co_return failed_read(permanent_result("'" + vendor_id + "' is not a Glia operator id"));
  }
  HttpRequest request = json_request("GET", "/operators/" + vendor_id, nullptr, kMediaType);
  request.priority = RequestPriority::background;
  HttpResult result;
  PushResult r = co_await send(std::move(request), &result);
  if (r.status == 404 && !r.vendor_failure) co_return not_found_read(std::move(r));
  if (r.outcome != PushOutcome::ok) co_return failed_read(std::move(r));
  std::optional<VendorRecord> record;
  if (auto o = parse_json_object(result.body)) record = glia_vendor_record(*o);
  co_return one_record_read(
      std::move(record), std::move(r),
      "Glia operator " + vendor_id + ": the answer is not an operator with an \"id\"");
}

bool GliaConnector::in_step(std::string_view field, const json::value& vendor,
                            const json::value& desired) const {
  if (field == "email") return same_email(vendor, desired);
  if (field == "assignments") return glia_assignments_set(vendor) == glia_assignments_set(desired);
  return Connector::in_step(field, vendor, desired);
}

asio::awaitable<PushResult> GliaConnector::create(const PushContext& context) {
  json::object body = without_nulls(context.desired);
  if (!body.contains("name") || !body.contains("email")) {
    co_return permanent_result(
        "operator " + context.operator_id +
        " is unmapped in Glia and cannot be created without a name and an email");
  }
  HttpResult result;
  PushResult r = co_await send(json_request("POST", "/operators", &body, kMediaType), &result);
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
  const std::optional<json::object> answer = parse_json_object(result.body);
  const json::value* id = answer ? answer->if_contains("id") : nullptr;
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
  PushResult r =
      co_await send(json_request("DELETE", "/operators/" + vendor_id, nullptr, kMediaType));
  if (r.status == 404 && !r.vendor_failure) {  // already gone: the goal of a delete
    r.outcome = PushOutcome::ok;
    r.message = "Glia operator " + vendor_id + " was already gone";
  }
  co_return r;
}

asio::awaitable<PushResult> GliaConnector::push(PushContext context) {
  co_return co_await push_by_id(std::move(context), directory_, steps_);
}

}  // namespace opsync
