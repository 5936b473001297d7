#include "plugchat/plugchat_connector.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <utility>

#include "common/redact.h"
#include "framework/vendor_call.h"
#include "framework/vendor_read.h"
#include "plugchat/plugchat_mapping.h"

namespace opsync {

namespace {

// RFC 3986 unreserved characters pass; everything else is percent-encoded.
std::string encode_path_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

PlugChatConnector::PlugChatConnector(std::string name, PlugChatSettings settings,
                                     std::shared_ptr<HttpTransport> transport, ConnectorClock clock)
    : VendorConnector(std::move(name), std::move(settings), std::move(transport), std::move(clock)),
      tables_(settings_.tables(name_)),
      auth_(settings_.integrator_token.reveal()) {}

MapResult PlugChatConnector::map(const CanonicalOperator& op) const {
  return map_plugchat_operator(op, tables_);
}

const std::vector<std::string>& PlugChatConnector::required_fields() const {
  static const std::vector<std::string> kRequired{"name", "active", "departments"};
  return kRequired;
}

std::string PlugChatConnector::operators_path() const {
  return "/integrator/account/" + encode_path_segment(settings_.account_id) + "/operators";
}

boost::asio::awaitable<PushResult> PlugChatConnector::push(PushContext context) {
  const bool known = context.vendor_id && !context.vendor_id->empty();
  if (!known && context.deleted) {
    // Never created here and no id to find it by: there is nothing to deactivate.
    PushResult out;
    out.message = "no Plug Chat id for a deleted operator: nothing to deactivate";
    out.acknowledged = boost::json::object{};
    co_return out;
  }
  if (!known && !settings_.create_missing) {
    co_return permanent_result(
        "unmapped: Plug Chat has no id for operator '" + context.operator_id +
        "' (its operator list has no e-mail to match on); provide external_ids." + name_ +
        " or set create_missing: true");
  }
  if (!known) {
    const auto* n = context.desired.if_contains("name");
    const std::string name = n != nullptr && n->is_string() ? std::string(n->as_string()) : "";
    if (context.outcome_unknown && !name.empty()) {
      // An earlier create may have been applied with its answer lost: look before creating.
      std::optional<PushResult> failure;
      std::optional<std::string> found = co_await find_lost_create(context, failure);
      if (failure) co_return std::move(*failure);
      if (found) {
        boost::json::object body{{"id", *found}};
        for (const auto& [key, value] : context.desired) body[key] = value;
        PushResult out = co_await send("PUT", body);
        if (out.outcome == PushOutcome::ok) {
          out.acknowledged = context.desired;
          out.message = "found in the operator list after a lost answer";
        }
        out.vendor_id = std::move(found);
        co_return out;
      }
    }
    PushResult out = co_await send("POST", context.desired);
    if (out.outcome == PushOutcome::ok) {
      if (!out.vendor_id) {
        co_return permanent_result("Plug Chat created the operator but its answer has no 'id'");
      }
      out.acknowledged = context.desired;
    }
    co_return out;
  }
  boost::json::object body{{"id", *context.vendor_id}};
  for (const auto& [key, value] : context.changed) body[key] = value;
  PushResult out = co_await send("PUT", body);
  if (out.outcome == PushOutcome::ok && out.vendor_id == context.vendor_id) out.vendor_id.reset();
  if (out.status == 404 && !out.vendor_failure) {
    // "Operador não encontrado", or a wrong account ("Conta não encontrada"): only the operator
    // list tells which. An id the list (of a readable account) lacks is gone: the dispatcher
    // forgets it and pushes again without one, which creates the operator afresh.
    if (co_await lists_operator(*context.vendor_id) == false) out.vendor_id_gone = true;
  }
  co_return out;
}

// The record a create whose answer was lost made: one with the same name that no other
// operator of this connector is mapped to (names are not unique at Plug Chat, so a namesake
// another operator holds must not be adopted). Among several, the one that also holds every
// other mapped value the list shows (active, departments) is preferred; a record whose values
// differ is still taken, since the operator may have changed between the lost create and now.
boost::asio::awaitable<std::optional<std::string>> PlugChatConnector::find_lost_create(
    const PushContext& context, std::optional<PushResult>& failure) {
  ReadResult listed = co_await list_all(RequestPriority::live);
  if (listed.status != ReadResult::Status::ok) {
    failure = std::move(listed.failure);
    co_return std::nullopt;
  }
  const boost::json::value* name = context.desired.if_contains("name");
  if (name == nullptr) co_return std::nullopt;
  std::optional<std::string> namesake;
  for (const VendorRecord& record : listed.records) {
    const boost::json::value* held_name = record.fields.if_contains("name");
    if (held_name == nullptr || *held_name != *name) continue;
    if (context.vendor_id_taken && context.vendor_id_taken(record.vendor_id)) continue;
    bool same = true;
    for (const auto& [field, want] : context.desired) {
      // A field the list does not show (isAdmin) cannot tell.
      const boost::json::value* have = record.fields.if_contains(field);
      if (have != nullptr && !in_step(field, *have, want)) {
        same = false;
        break;
      }
    }
    if (same) co_return record.vendor_id;
    if (!namesake) namesake = record.vendor_id;
  }
  co_return namesake;
}

boost::asio::awaitable<std::optional<bool>> PlugChatConnector::lists_operator(
    const std::string& id) {
  ReadResult listed = co_await list_all(RequestPriority::live);
  if (listed.status != ReadResult::Status::ok) co_return std::nullopt;
  for (const VendorRecord& record : listed.records) {
    if (record.vendor_id == id) co_return true;
  }
  co_return false;
}

boost::asio::awaitable<PushResult> PlugChatConnector::send(std::string method,
                                                           const boost::json::object& body) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = operators_path();
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"Accept", "application/json"});
  request.body = boost::json::serialize(body);
  HttpResult result = co_await send_with_auth(*transport_, auth_, request);

  PushResult out = classify(result, request, plugchat_error_message);
  // The answer carries the operator's accessToken (a credential): keep it out of the result.
  out.response_body = redact_json_body(result.body);
  out.request = redact_request(request);
  if (!result.ok()) co_return out;
  auto answer = parse_json_object(result.body);
  if (answer) {
    if (const auto* s = answer->if_contains("success");
        s != nullptr && s->is_bool() && !s->as_bool()) {
      out.outcome = PushOutcome::permanent;
      out.message = plugchat_error_message(result.status, result.body);
      co_return out;
    }
    if (const auto* id = answer->if_contains("id");
        id != nullptr && id->is_string() && !id->as_string().empty()) {
      out.vendor_id = std::string(id->as_string());
    }
  }
  co_return out;
}

boost::asio::awaitable<ReadResult> PlugChatConnector::list_all(RequestPriority priority) {
  HttpRequest request;
  request.method = "GET";
  request.target = operators_path();
  request.priority = priority;
  // Plug Chat refuses a request without this Content-Type (415), a GET included.
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"Accept", "application/json"});
  HttpResult result = co_await send_with_auth(*transport_, auth_, request);
  PushResult r = classify(result, request, plugchat_error_message);
  // Every entry carries the operator's accessToken (a credential): keep it out of the result.
  r.response_body = redact_json_body(result.body);
  r.request = redact_request(request);
  if (r.outcome != PushOutcome::ok) co_return failed_read(std::move(r));
  boost::system::error_code ec;
  boost::json::value answer = boost::json::parse(result.body, ec);
  if (ec || !answer.is_array()) {
    r.outcome = PushOutcome::permanent;
    r.message = "Plug Chat operator list: the answer is not an array";
    co_return failed_read(std::move(r));
  }
  ReadResult out;
  for (const boost::json::value& entry : answer.as_array()) {
    if (auto record = plugchat_vendor_record(entry)) out.records.push_back(std::move(*record));
  }
  co_return out;
}

boost::asio::awaitable<ReadResult> PlugChatConnector::list_operators(
    std::optional<std::string> page) {
  if (page) {
    // There is only one page: a cursor can only come from a caller's mistake.
    co_return failed_read(
        permanent_result("Plug Chat's operator list has no page '" + *page + "'"));
  }
  co_return co_await list_all(RequestPriority::background);
}

boost::asio::awaitable<ReadResult> PlugChatConnector::read_operator(std::string vendor_id) {
  ReadResult listed = co_await list_all(RequestPriority::background);
  if (listed.status != ReadResult::Status::ok) co_return listed;
  ReadResult out;
  for (VendorRecord& record : listed.records) {
    if (record.vendor_id == vendor_id) {
      out.records.push_back(std::move(record));
      co_return out;
    }
  }
  PushResult absent;
  absent.outcome = PushOutcome::permanent;
  absent.status = 404;
  absent.message = "Plug Chat's operator list has no operator " + vendor_id;
  co_return not_found_read(std::move(absent));
}

bool PlugChatConnector::in_step(std::string_view field, const boost::json::value& vendor,
                                const boost::json::value& desired) const {
  if (field == "departments") return same_set(vendor, desired);
  return Connector::in_step(field, vendor, desired);
}

}  // namespace opsync
