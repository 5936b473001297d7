#include "plugchat/plugchat_connector.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <utility>

#include "common/redact.h"
#include "framework/vendor_call.h"
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

std::optional<boost::json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

}  // namespace

std::string plugchat_error_message(unsigned status, std::string_view body) {
  std::string words;
  if (auto object = parse_object(body)) {
    if (const auto* m = object->if_contains("message"); m != nullptr && m->is_string()) {
      words = m->as_string();
    }
    if (const auto* e = object->if_contains("errors"); e != nullptr && e->is_array()) {
      for (const auto& item : e->as_array()) {
        if (!item.is_string() || item.as_string() == words) continue;
        words += (words.empty() ? "" : "; ") + std::string(item.as_string());
      }
    }
  } else if (!body.empty()) {
    words = redact_json_body(body.substr(0, 2048));
  }
  if (words.empty()) {
    switch (status) {  // the seed documents these answers without a body
      case 404:
        words = "not found (unknown account or operator id)";
        break;
      case 405:
        words = "method not allowed";
        break;
      case 415:
        words = "Content-Type must be application/json";
        break;
      default:
        words = "no error message";
    }
  }
  return "Plug Chat " + std::to_string(status) + ": " + words;
}

PlugChatConnector::PlugChatConnector(std::string name, PlugChatSettings settings,
                                     std::unique_ptr<HttpTransport> transport)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      tables_(settings_.tables(name_)),
      transport_(std::move(transport)),
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
  co_return out;
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

  PushResult out = push_result_from_http(result, request, std::chrono::system_clock::now());
  // The answer carries the operator's accessToken (a credential): keep it out of the result.
  out.response_body = redact_json_body(result.body);
  out.request = redact_request(request);
  if (result.error) co_return out;
  if (!result.ok()) {
    out.message = plugchat_error_message(result.status, result.body);
    co_return out;
  }
  auto answer = parse_object(result.body);
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

}  // namespace opsync
