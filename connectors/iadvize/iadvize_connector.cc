#include "iadvize/iadvize_connector.h"

#include <boost/json/array.hpp>
#include <charconv>
#include <utility>

#include "framework/vendor_call.h"
#include "framework/vendor_read.h"
#include "iadvize/iadvize_errors.h"
#include "iadvize/iadvize_form.h"
#include "iadvize/iadvize_mapping.h"

namespace opsync {
namespace {

constexpr int kPageLimit = 100;   // iAdvize's largest page
constexpr int kMaxPages = 10000;  // a bound on following pages (a million operators)

std::string id_text(const boost::json::value& id) {
  if (id.is_int64()) return std::to_string(id.as_int64());
  if (id.is_uint64()) return std::to_string(id.as_uint64());
  if (id.is_string()) return std::string(id.as_string());
  return {};
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Deactivation also forces the operator offline: the deleted operator, or an update that leaves
// every channel switched off.
bool goes_offline(const PushContext& ctx) {
  if (ctx.deleted) return true;
  bool touched = false;
  for (const char* field : {"chat_enabled", "call_enabled", "video_enabled"}) {
    const auto* v = ctx.desired.if_contains(field);
    if (v == nullptr || !v->is_bool() || v->as_bool()) return false;
    touched = touched || ctx.changed.contains(field);
  }
  return touched;
}

// The live availability to set for the channels this push switches back on (`chat[available]=1`
// per channel whose flag changes to true): an operator deactivated and forced offline is made
// available again when it is activated. Empty when no channel is switched on, and on the first
// push of an operator (no stored id: its live state is its own).
boost::json::object comes_online(const PushContext& ctx) {
  boost::json::object live;
  if (ctx.deleted || !ctx.vendor_id || ctx.vendor_id->empty()) return live;
  for (auto [field, channel] :
       {std::pair{"chat_enabled", "chat"}, std::pair{"call_enabled", "call"},
        std::pair{"video_enabled", "video"}}) {
    const auto* v = ctx.changed.if_contains(field);
    if (v != nullptr && v->is_bool() && v->as_bool()) live[channel] = {{"available", 1}};
  }
  return live;
}

}  // namespace

struct IAdvizeConnector::Lookup {
  PushResult failure;  ///< set (outcome != ok) when the lookup itself failed
  std::string id;      ///< empty: no operator found
};

IAdvizeConnector::IAdvizeConnector(std::string name, IAdvizeSettings settings,
                                   std::shared_ptr<HttpTransport> transport, ConnectorClock clock)
    : VendorConnector(std::move(name), std::move(settings), std::move(transport), std::move(clock)),
      tables_(settings_.tables(name_)),
      auth_("X-API-Key", settings_.api_key.reveal()) {}

MapResult IAdvizeConnector::map(const CanonicalOperator& op) const {
  return iadvize::map_operator(op, tables_);
}

boost::asio::awaitable<PushResult> IAdvizeConnector::call(std::string method, std::string target,
                                                          std::string body,
                                                          RequestPriority priority) {
  HttpRequest request;
  request.priority = priority;
  request.method = std::move(method);
  request.target = std::move(target);
  set_header(request.headers, "Accept", "application/json");
  if (!body.empty() || request.method == "PUT" || request.method == "POST") {
    set_header(request.headers, "Content-Type", iadvize::kFormContentType);
  }
  request.body = std::move(body);
  HttpResult result = co_await send_with_auth(*transport_, auth_, request);
  co_return iadvize::classify(result, request, clock_.wall_now(), limits().backoff);
}

// By e-mail when the record has one (operators that existed before opsync), else by the
// external_id opsync sets (the canonical id). Several matches: the one carrying our external_id,
// else ambiguous (iAdvize does not document e-mails as unique).
boost::asio::awaitable<IAdvizeConnector::Lookup> IAdvizeConnector::find_operator(
    const PushContext& ctx) {
  const std::string email = string_field(ctx.desired, "email");
  const std::string filter =
      email.empty() ? iadvize::form_escape("filters[external_id]") + "=" +
                          iadvize::form_escape(ctx.operator_id)
                    : iadvize::form_escape("filters[email]") + "=" + iadvize::form_escape(email);
  Lookup out;
  out.failure = co_await call("GET", "/operator?" + filter + "&limit=100", {});
  if (out.failure.outcome != PushOutcome::ok) co_return out;
  auto envelope = iadvize::parse_envelope(out.failure.response_body);
  if (!envelope || !envelope->data.is_array()) {
    out.failure.outcome = PushOutcome::retry;
    out.failure.vendor_failure = true;
    out.failure.message = "iAdvize operator list without a data array";
    co_return out;
  }
  const boost::json::array& found = envelope->data.as_array();
  std::vector<std::string> ids;
  for (const auto& item : found) {
    if (!item.is_object()) continue;
    const auto* id = item.as_object().if_contains("id");
    if (id == nullptr) continue;
    if (string_field(item.as_object(), "external_id") == ctx.operator_id) {
      out.id = id_text(*id);
      co_return out;
    }
    ids.push_back(id_text(*id));
  }
  if (ids.size() == 1) {
    out.id = ids.front();
  } else if (ids.size() > 1) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    out.failure.outcome = PushOutcome::permanent;
    out.failure.message = "ambiguous: iAdvize operators " + list + " all have email '" + email +
                          "'; set external_ids." + name_ + " for operator " + ctx.operator_id;
  }
  co_return out;
}

boost::asio::awaitable<PushResult> IAdvizeConnector::remove(PushContext ctx) {
  std::optional<std::string> learned;
  std::string id = ctx.vendor_id.value_or("");
  if (id.empty()) {
    Lookup found = co_await find_operator(ctx);
    if (found.failure.outcome != PushOutcome::ok) co_return found.failure;
    if (found.id.empty()) co_return found.failure;  // nothing to delete
    id = found.id;
    learned = id;
  }
  PushResult result = co_await call("DELETE", "/operator/" + iadvize::form_escape(id), {});
  if (result.status == 404) result.outcome = PushOutcome::ok;  // already gone
  result.vendor_id = learned;
  co_return result;
}

boost::asio::awaitable<PushResult> IAdvizeConnector::push(PushContext ctx) {
  if (ctx.deleted && delete_policy() == DeletePolicy::remove) co_return co_await remove(ctx);

  const boost::json::object wire = iadvize::wire_fields(ctx.changed);
  const bool offline = goes_offline(ctx);
  if (wire.empty() && !offline) co_return PushResult{};  // only clears iAdvize cannot make

  std::optional<std::string> learned;
  std::string id = ctx.vendor_id.value_or("");
  if (id.empty()) {
    Lookup found = co_await find_operator(ctx);
    if (found.failure.outcome != PushOutcome::ok) co_return found.failure;
    if (found.id.empty()) {
      if (ctx.deleted) co_return found.failure;  // never create an operator to deactivate it
      if (!settings_.create_missing) {
        const std::string email = string_field(ctx.desired, "email");
        co_return permanent_result(
            "unmapped: operator " + ctx.operator_id + " has no iAdvize id (" +
            (email.empty() ? "no email to look up"
                           : "no iAdvize operator has email '" + email + "'") +
            ") and connectors." + name_ + ".create_missing is false");
      }
      if (!ctx.desired.contains("email")) {
        co_return permanent_result("iAdvize: email is required to create operator " +
                                   ctx.operator_id);
      }
      PushResult created = co_await call("POST", "/operator", iadvize::encode_form(ctx.desired));
      if (created.outcome != PushOutcome::ok) co_return created;
      auto envelope = iadvize::parse_envelope(created.response_body);
      const boost::json::value* new_id = envelope && envelope->data.is_object()
                                             ? envelope->data.as_object().if_contains("id")
                                             : nullptr;
      if (new_id == nullptr || id_text(*new_id).empty()) {
        // The next attempt looks the operator up by e-mail before creating again.
        created.outcome = PushOutcome::retry;
        created.message = "iAdvize created an operator but returned no id";
        co_return created;
      }
      created.vendor_id = id_text(*new_id);
      co_return created;
    }
    id = found.id;
    learned = id;
  }

  PushResult result;
  const std::string path = "/operator/" + iadvize::form_escape(id);
  // A 404 on /operator/{id} is "Operator not found": for an id the push was given, the dispatcher
  // forgets it and pushes again without one (looked up by e-mail or external_id, else created).
  const auto gone = [&](PushResult& r) {
    if (r.status == 404 && !r.vendor_failure && !learned) r.vendor_id_gone = true;
  };
  if (!wire.empty()) {
    result = co_await call("PUT", path, iadvize::encode_form(wire));
    gone(result);
    if (result.outcome != PushOutcome::ok) co_return result;
  }
  if (offline) {
    result = co_await call("PUT", path + "/live", "connected=0");
    gone(result);
    if (result.outcome != PushOutcome::ok) co_return result;
  }
  if (const boost::json::object online = comes_online(ctx); !offline && !online.empty()) {
    result = co_await call("PUT", path + "/live", iadvize::encode_form(online));
    if (result.outcome != PushOutcome::ok) co_return result;
  }
  result.vendor_id = learned;
  co_return result;
}

boost::asio::awaitable<ReadResult> IAdvizeConnector::list_operators(
    std::optional<std::string> page) {
  int number = 1;
  if (page) {
    const auto [end, ec] = std::from_chars(page->data(), page->data() + page->size(), number);
    if (ec != std::errc{} || end != page->data() + page->size() || number < 1) {
      co_return failed_read(
          permanent_result("iAdvize operator list: bad page cursor '" + *page + "'"));
    }
  }
  PushResult r = co_await call(
      "GET", "/operator?page=" + std::to_string(number) + "&limit=" + std::to_string(kPageLimit),
      {}, RequestPriority::background);
  if (r.outcome != PushOutcome::ok) co_return failed_read(std::move(r));
  std::optional<boost::json::object> answer = parse_json_object(r.response_body);
  const boost::json::value* data = answer ? answer->if_contains("data") : nullptr;
  if (data == nullptr || !data->is_array()) {
    r.outcome = PushOutcome::permanent;
    r.message = "iAdvize operator list without a data array";
    co_return failed_read(std::move(r));
  }
  ReadResult out;
  for (const boost::json::value& item : data->as_array()) {
    if (auto record = iadvize::vendor_record(item)) out.records.push_back(std::move(*record));
  }
  bool more = data->as_array().size() >= static_cast<std::size_t>(kPageLimit);
  const boost::json::value* meta = answer->if_contains("meta");
  const boost::json::value* total =
      meta && meta->is_object() ? meta->as_object().if_contains("total") : nullptr;
  if (total != nullptr && total->is_int64()) {
    more = static_cast<std::int64_t>(number) * kPageLimit < total->as_int64();
  }
  if (more && !data->as_array().empty() && number < kMaxPages) {
    out.next_page = std::to_string(number + 1);
  }
  co_return out;
}

boost::asio::awaitable<ReadResult> IAdvizeConnector::read_operator(std::string vendor_id) {
  PushResult r = co_await call("GET", "/operator/" + iadvize::form_escape(vendor_id), {},
                               RequestPriority::background);
  if (r.status == 404 && !r.vendor_failure) co_return not_found_read(std::move(r));
  if (r.outcome != PushOutcome::ok) co_return failed_read(std::move(r));
  auto envelope = iadvize::parse_envelope(r.response_body);
  std::optional<VendorRecord> record =
      envelope ? iadvize::vendor_record(envelope->data) : std::nullopt;
  co_return one_record_read(
      std::move(record), std::move(r),
      "iAdvize operator " + vendor_id + ": the answer has no operator in data");
}

bool IAdvizeConnector::in_step(std::string_view field, const boost::json::value& vendor,
                               const boost::json::value& desired) const {
  if (field == "email") return same_email(vendor, desired);
  if (field == "roles" || field == "language_list") return same_set(vendor, desired);
  return Connector::in_step(field, vendor, desired);
}

}  // namespace opsync
