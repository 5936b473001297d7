#include "vendorsim/control.h"

#include <boost/json/parse.hpp>
#include <charconv>
#include <string>

#include "vendorsim/duplicates.h"

namespace opsync::vendorsim {
namespace {

HttpResponse fail(const HttpRequest& req, http::status status, std::string message) {
  return json_response(req, status, {{"error", std::move(message)}});
}

HttpResponse not_allowed(const HttpRequest& req, std::string_view allow) {
  HttpResponse res = fail(req, http::status::method_not_allowed, "method not allowed");
  res.set(http::field::allow, allow);
  return res;
}

std::string known_vendors() {
  std::string out;
  for (Vendor v : kAllVendors) out += (out.empty() ? "" : ", ") + std::string(vendor_name(v));
  return out;
}

HttpResponse faults(SimState& state, Vendor vendor, const HttpRequest& req) {
  switch (req.method()) {
    case http::verb::get:
      break;
    case http::verb::delete_:
      state.set_faults(vendor, FaultConfig{});
      break;
    case http::verb::post:
    case http::verb::put: {
      boost::system::error_code ec;
      json::value body = json::parse(req.body(), ec);
      if (ec) return fail(req, http::status::bad_request, "body is not JSON: " + ec.message());
      std::string error;
      auto config = fault_config_from_json(body, error);
      if (!config) return fail(req, http::status::bad_request, error);
      state.set_faults(vendor, *config);
      break;
    }
    default:
      return not_allowed(req, "GET, POST, PUT, DELETE");
  }
  return json_response(req, http::status::ok, to_json(state.faults(vendor)));
}

HttpResponse records(SimState& state, Vendor vendor, const HttpRequest& req) {
  if (req.method() == http::verb::get)
    return json_response(req, http::status::ok, state.records(vendor));
  if (req.method() != http::verb::post) return not_allowed(req, "GET, POST");
  boost::system::error_code ec;
  json::value body = json::parse(req.body(), ec);
  if (ec || !(body.is_object() || body.is_array()))
    return fail(req, http::status::bad_request,
                "body must be a JSON object or an array of objects");
  json::array items = body.is_array() ? body.as_array() : json::array{body};
  json::array stored;
  for (auto& item : items) {
    if (!item.is_object())
      return fail(req, http::status::bad_request, "every record must be a JSON object");
    SeedResult result = state.seed_record(vendor, std::move(item.as_object()));
    if (!result.ok()) return fail(req, http::status::bad_request, result.error);
    stored.push_back(std::move(result.record));
  }
  if (body.is_object()) return json_response(req, http::status::created, stored.front());
  return json_response(req, http::status::created, stored);
}

}  // namespace

HttpResponse handle_control(SimState& state, const json::object& ports, const HttpRequest& req) {
  auto target = parse_target(req.target());
  if (!target || target->segments.empty() || target->segments[0] != "control")
    return fail(req, http::status::not_found, "not found; the control API lives under /control/");
  const auto& seg = target->segments;
  const auto method = req.method();
  if (seg.size() == 2 && seg[1] == "stats") {
    if (method != http::verb::get) return not_allowed(req, "GET");
    return json_response(req, http::status::ok, state.stats());
  }
  if (seg.size() == 2 && seg[1] == "ports") {
    if (method != http::verb::get) return not_allowed(req, "GET");
    return json_response(req, http::status::ok, ports);
  }
  if (seg.size() == 2 && seg[1] == "reset") {
    if (method != http::verb::post) return not_allowed(req, "POST");
    state.reset();
    return json_response(req, http::status::ok, {{"reset", true}});
  }
  if (seg.size() == 4 && seg[2] == "records") {
    auto vendor = vendor_from_name(seg[1]);
    if (!vendor) return fail(req, http::status::not_found, "unknown vendor '" + seg[1] + "'");
    if (method == http::verb::delete_) {
      if (!state.delete_record(*vendor, seg[3]))
        return fail(req, http::status::not_found, "no record with id '" + seg[3] + "'");
      return empty_response(req, http::status::no_content);
    }
    if (method != http::verb::patch) return not_allowed(req, "PATCH, DELETE");
    boost::system::error_code ec;
    json::value body = json::parse(req.body(), ec);
    if (ec || !body.is_object())
      return fail(req, http::status::bad_request, "body must be a JSON object");
    SeedResult result = state.edit_record(*vendor, seg[3], body.as_object());
    if (!result.ok()) return fail(req, http::status::not_found, result.error);
    return json_response(req, http::status::ok, result.record);
  }
  if (seg.size() != 3) return fail(req, http::status::not_found, "no such control path");
  auto vendor = vendor_from_name(seg[1]);
  if (!vendor)
    return fail(req, http::status::not_found,
                "unknown vendor '" + seg[1] + "' (known: " + known_vendors() + ")");
  const std::string& what = seg[2];
  if (what == "faults") return faults(state, *vendor, req);
  if (what == "records") return records(state, *vendor, req);
  if (what == "duplicates") {
    if (method != http::verb::get) return not_allowed(req, "GET");
    return json_response(req, http::status::ok, find_duplicates(*vendor, state.records(*vendor)));
  }
  if (what == "requests") {
    if (method == http::verb::get)
      return json_response(req, http::status::ok, state.requests(*vendor));
    if (method != http::verb::delete_) return not_allowed(req, "GET, DELETE");
    state.clear_requests(*vendor);
    return empty_response(req, http::status::no_content);
  }
  if (what == "receipts") {
    if (method == http::verb::delete_) {
      state.clear_receipts(*vendor);
      return empty_response(req, http::status::no_content);
    }
    if (method != http::verb::get) return not_allowed(req, "GET, DELETE");
    std::uint64_t from = 0;
    if (auto text = target->param("from")) {
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), from);
      if (ec != std::errc{} || end != text->data() + text->size())
        return fail(req, http::status::bad_request, "from: expected a number, got " + *text);
    }
    auto receipts = state.receipts(*vendor, from);
    if (!receipts)
      return fail(req, http::status::not_found,
                  "receipts are not recorded: start with --record-receipts");
    return json_response(req, http::status::ok, *receipts);
  }
  if (what == "tokens") {
    if (method != http::verb::delete_) return not_allowed(req, "DELETE");
    return json_response(req, http::status::ok, {{"revoked", state.revoke_tokens(*vendor)}});
  }
  return fail(req, http::status::not_found,
              "no such control path (faults, records, duplicates, requests, receipts, tokens)");
}

}  // namespace opsync::vendorsim
