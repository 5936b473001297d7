#include "vendorsim/iadvize_fields.h"

#include <algorithm>
#include <charconv>

namespace opsync::vendorsim::iadvize {
namespace {

bool in(std::string_view value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

// Form values arrive as strings; JSON ones may be typed.
std::optional<bool> as_flag(const json::value& v) {
  if (v.is_bool()) return v.as_bool();
  if (auto n = json_int(v); n && (*n == 0 || *n == 1)) return *n == 1;
  if (v.is_string()) {
    std::string_view s = v.as_string();
    if (s == "1" || s == "true") return true;
    if (s == "0" || s == "false") return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> as_integer(const json::value& v) {
  if (auto n = json_int(v)) return n;
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.as_string();
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

// A list: a JSON array, form `x[]=a&x[]=b` (already an array), or "a,b" (as the filters use).
std::optional<json::array> as_list(const json::value& v) {
  if (v.is_array()) return v.as_array();
  if (!v.is_string()) return std::nullopt;
  json::array out;
  std::string_view s = v.as_string();
  while (!s.empty()) {
    auto item = s.substr(0, s.find(','));
    s.remove_prefix(std::min(s.size(), item.size() + 1));
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

}  // namespace

std::optional<json::object> decode_body(const HttpRequest& req, std::string& error) {
  if (req.body().empty()) return json::object{};
  if (has_media_type(req, "application/json")) {
    auto object = parse_object(req.body());
    if (!object) {
      error = "Body must be a JSON object";
      return std::nullopt;
    }
    return expand_bracket_keys(*object);
  }
  if (has_media_type(req, "application/x-www-form-urlencoded") ||
      header(req, "Content-Type").empty())
    return parse_form(req.body());
  error = "Unsupported Content-Type (use application/x-www-form-urlencoded or application/json)";
  return std::nullopt;
}

std::vector<std::string> operator_changes(const json::object& body, bool reject_unknown,
                                          json::object& changes) {
  std::vector<std::string> problems;
  auto fail = [&](std::string_view field, std::string_view why) {
    problems.push_back(std::string(field) + " " + std::string(why));
  };
  if (reject_unknown)
    for (const auto& key :
         unknown_keys(body, {"name",          "first_name",     "pseudo",          "email",
                             "external_id",   "role",           "roles",           "chat_enabled",
                             "call_enabled",  "video_enabled",  "chat_max_number", "chat_and_call",
                             "chat_to_video", "chat_priority",  "call_priority",   "video_priority",
                             "language_list", "language_admin", "group_id",        "website_list",
                             "skill_list",    "sso_key",        "call_config",     "password"}))
      problems.push_back("Unknown field '" + key + "'");

  for (const auto& [key, v] : body) {
    if (in(key, {"name", "first_name", "pseudo", "external_id", "sso_key", "password"})) {
      if (v.is_string() || (v.is_null() && in(key, {"pseudo", "external_id"})))
        changes[key] = v;
      else
        fail(key, "must be a string");
    } else if (key == "email") {
      if (v.is_string() && is_email(v.as_string()))
        changes[key] = v;
      else
        fail(key, "must be a valid email");
    } else if (key == "role") {  // deprecated, still accepted
      if (v.is_string() && in(v.as_string(), {"operator", "manager", "admin"}))
        changes[key] = v;
      else
        fail(key, "must be operator, manager or admin");
    } else if (key == "roles") {
      auto list = as_list(v);
      bool ok =
          list && !list->empty() &&
          std::all_of(list->begin(), list->end(), [](const json::value& r) {
            return r.is_string() && in(r.as_string(), {"expert", "operator", "manager", "admin"});
          });
      if (ok)
        changes[key] = *list;
      else
        fail(key, "must be a non-empty list of expert, operator, manager, admin");
    } else if (in(key, {"chat_enabled", "call_enabled", "video_enabled", "chat_and_call",
                        "chat_to_video"})) {
      if (auto flag = as_flag(v))
        changes[key] = *flag;
      else
        fail(key, "must be a boolean");
    } else if (key == "chat_max_number") {
      if (auto n = as_integer(v); n && *n >= 0)
        changes[key] = *n;
      else
        fail(key, "must be a non-negative integer");
    } else if (in(key, {"chat_priority", "call_priority", "video_priority"})) {
      if (auto n = as_integer(v); n && (*n == 0 || *n == 10))
        changes[key] = *n;
      else
        fail(key, "must be 0 or 10");
    } else if (key == "language_list") {
      auto list = as_list(v);
      bool ok = list && std::all_of(list->begin(), list->end(), [](const json::value& l) {
                  return l.is_string() && is_iso639_1(l.as_string());
                });
      if (ok)
        changes[key] = *list;
      else
        fail(key, "must be a list of ISO 639-1 codes");
    } else if (key == "language_admin") {
      if (v.is_string() && in(v.as_string(), {"de", "en", "es", "fr"}))
        changes[key] = v;
      else
        fail(key, "must be de, en, es or fr");
    } else if (key == "group_id") {
      if (v.is_null())
        changes[key] = nullptr;
      else if (auto n = as_integer(v); n && *n > 0)
        changes[key] = *n;
      else
        fail(key, "must be an integer");
    } else if (key == "website_list" || key == "skill_list") {
      auto list = as_list(v);
      json::array ids;
      bool ok = list.has_value();
      for (const auto& item : list ? *list : json::array{}) {
        auto n = as_integer(item);
        ok = ok && n && *n > 0;
        if (n) ids.emplace_back(*n);
      }
      if (ok)
        changes[key] = std::move(ids);
      else
        fail(key, "must be a list of integers");
    } else if (key == "call_config") {
      // Replaced as a whole; absent keys take their documented defaults.
      auto object = v.if_object();
      json::object config{{"type", "ANSWER_FROM_DESK"},
                          {"ask_phone_number_at_every_connection", false},
                          {"phone_number", nullptr}};
      bool ok = object != nullptr;
      if (object && reject_unknown)
        for (const auto& k : unknown_keys(
                 *object, {"type", "ask_phone_number_at_every_connection", "phone_number"}))
          fail("call_config." + k, "is not a known field");
      if (auto t = object ? object->if_contains("type") : nullptr) {
        ok = ok && t->is_string() && in(t->as_string(), {"ANSWER_FROM_PHONE", "ANSWER_FROM_DESK"});
        if (ok)
          config["type"] = *t;
        else
          fail("call_config.type", "must be ANSWER_FROM_PHONE or ANSWER_FROM_DESK");
      }
      if (auto a = object ? object->if_contains("ask_phone_number_at_every_connection") : nullptr) {
        auto flag = as_flag(*a);
        if (flag)
          config["ask_phone_number_at_every_connection"] = *flag;
        else
          fail("call_config.ask_phone_number_at_every_connection", "must be a boolean");
      }
      if (auto p = object ? object->if_contains("phone_number") : nullptr; p && !p->is_null()) {
        if (p->is_string() && is_e164(p->as_string()))
          config["phone_number"] = *p;
        else
          fail("call_config.phone_number",
               "must be a phone number with its prefix (e.g. +33123456789)");
      }
      if (!object) fail(key, "must be an object");
      if (ok && config["type"] == "ANSWER_FROM_PHONE" && config["phone_number"].is_null() &&
          config["ask_phone_number_at_every_connection"] == false)
        fail(
            key,
            "of type ANSWER_FROM_PHONE needs phone_number or ask_phone_number_at_every_connection");
      changes[key] = std::move(config);
    }
  }
  return problems;
}

std::vector<std::string> live_changes(const json::object& body, bool reject_unknown,
                                      json::object& changes) {
  std::vector<std::string> problems;
  if (reject_unknown)
    for (const auto& key : unknown_keys(body, {"chat", "call", "video", "connected"}))
      problems.push_back("Unknown field '" + key + "'");
  for (std::string_view channel : {"chat", "call", "video"}) {
    auto v = body.if_contains(channel);
    if (!v) continue;
    auto available = v->is_object() ? v->as_object().if_contains("available") : nullptr;
    auto n = available ? as_integer(*available) : std::nullopt;
    if (n && (*n == 0 || *n == 1))
      changes[channel] = *n == 1;
    else
      problems.push_back(std::string(channel) +
                         "[available] must be 1 (available) or 0 (unavailable)");
  }
  if (auto v = body.if_contains("connected")) {
    if (auto n = as_integer(*v); n && *n == 0)
      changes["connected"] = false;
    else
      problems.emplace_back("connected must be 0 (offline), the only possible value");
  }
  if (problems.empty() && changes.empty())
    problems.emplace_back(
        "Nothing to set: send chat[available], call[available], video[available] or connected");
  return problems;
}

}  // namespace opsync::vendorsim::iadvize
