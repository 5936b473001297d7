// Glia's update-operator rules. Source: seeds/000 (parameter table) and vendors.md "Glia".
#include "vendorsim/glia_rules.h"

#include <algorithm>
#include <cctype>

namespace opsync::vendorsim::glia {
namespace {

bool is_sip_user(std::string_view s) {
  // RFC 3261 25.1 "user": unreserved / escaped / user-unreserved.
  constexpr std::string_view kExtra = "-_.!~*'()&=+$,;?/%";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

bool is_phone_extension(std::string_view s) {
  auto digits = std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  return s.size() <= 25 && digits >= 1 && digits <= 7 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == ','; });
}

bool in(std::string_view value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

bool email_taken(const RecordStore& store, std::string_view email, const json::value& self_id) {
  return std::any_of(store.all().begin(), store.all().end(), [&](const json::object& r) {
    return r.at("id") != self_id && r.at("email").is_string() &&
           iequals(r.at("email").as_string(), email);
  });
}

void validate(const json::object& body, const json::object* existing, const RecordStore& store,
              bool reject_unknown, FieldErrors& errors) {
  auto fail = [&](std::string_view field, std::string message) {
    errors[std::string(field)].push_back(std::move(message));
  };
  if (reject_unknown)
    for (const auto& key : unknown_keys(
             body, {"name", "email", "role", "audio_source", "phone", "phone_extension",
                    "sip_domain_id", "sip_extension", "enabled", "available", "assignments",
                    "max_engagement_count", "multi_engagement_default_availability",
                    "reactive_enabled", "proactive_enabled", "observation_enabled"}))
      fail(key, "is not a permitted parameter");

  // Type rules. `nullable` fields may be cleared with null.
  auto string_field = [&](std::string_view key, bool nullable) -> const json::string* {
    auto v = body.if_contains(key);
    if (!v || (nullable && v->is_null())) return nullptr;
    if (!v->is_string()) fail(key, nullable ? "must be a string or null" : "must be a string");
    return v->if_string();
  };
  if (auto name = string_field("name", false);
      name && name->find_first_not_of(" \t") == json::string::npos)
    fail("name", "can't be blank");
  if (auto email = string_field("email", false)) {
    if (!is_email(*email))
      fail("email", "is not a valid email address");
    else if (email_taken(store, *email, existing ? existing->at("id") : json::value(nullptr)))
      fail("email", "has already been taken");
  }
  if (auto role = string_field("role", false); role && !in(*role, {"operator", "manager", "admin"}))
    fail("role", "must be one of operator, manager, admin");
  if (auto source = string_field("audio_source", false);
      source && !in(*source, {"computer", "phone", "sip_phone"}))
    fail("audio_source", "must be one of computer, phone, sip_phone");
  if (auto phone = string_field("phone", true); phone && !is_e164(*phone))
    fail("phone", "must be in E.164 format");
  if (auto ext = string_field("phone_extension", true); ext && !is_phone_extension(*ext))
    fail("phone_extension",
         "must contain 1-7 digits and any number of ',' characters, at most 25 characters");
  string_field("sip_domain_id", true);
  if (auto sip = string_field("sip_extension", true)) {
    if (sip->size() > 30)
      fail("sip_extension", "is too long (maximum is 30 characters)");
    else if (!is_sip_user(*sip))
      fail("sip_extension", "is not a valid RFC 3261 user part");
  }
  for (std::string_view key :
       {"enabled", "available", "reactive_enabled", "proactive_enabled", "observation_enabled"})
    if (auto v = body.if_contains(key); v && !v->is_bool()) fail(key, "must be a boolean");
  if (auto v = body.if_contains("assignments")) {
    if (!v->is_array()) {
      fail("assignments", "must be an array");
    } else if (v->as_array().empty()) {
      fail("assignments", "must contain at least one site assignment");
    } else {
      for (const auto& a : v->as_array()) {
        auto o = a.if_object();
        bool ok = o && o->contains("site_id") && o->at("site_id").is_string() &&
                  !o->at("site_id").as_string().empty();
        if (ok && o->contains("team_ids")) {
          const auto& ids = o->at("team_ids");
          ok = ids.is_array() && std::all_of(ids.as_array().begin(), ids.as_array().end(),
                                             [](const json::value& t) { return t.is_string(); });
        }
        if (ok && reject_unknown) ok = unknown_keys(*o, {"site_id", "team_ids"}).empty();
        if (!ok) {
          fail("assignments",
               "each assignment must be {\"site_id\": string, \"team_ids\": [string]}");
          break;
        }
      }
    }
  }
  if (auto v = body.if_contains("max_engagement_count"); v && !v->is_null()) {
    auto n = json_int(*v);
    if (!n || *n < 1) fail("max_engagement_count", "must be a positive integer or null");
  }
  if (auto v = string_field("multi_engagement_default_availability", true);
      v && !in(*v, {"unavailable", "chat", "retain"}))
    fail("multi_engagement_default_availability", "must be one of unavailable, chat, retain");

  // Dependent fields, judged on the record as it would be after the update.
  auto effective = [&](std::string_view key) -> bool {  // true when set (not null) afterwards
    if (auto v = body.if_contains(key)) return !v->is_null();
    return existing && !existing->at(key).is_null();
  };
  auto touched = [&](std::initializer_list<std::string_view> keys) {
    return std::any_of(keys.begin(), keys.end(),
                       [&](std::string_view k) { return body.contains(k); });
  };
  if (touched({"phone", "phone_extension"}) && effective("phone_extension") && !effective("phone"))
    fail("phone_extension", "is valid only if phone is also set or was set beforehand");
  if (touched({"sip_domain_id", "sip_extension"}) && effective("sip_extension") &&
      !effective("sip_domain_id"))
    fail("sip_extension", "is valid only if sip_domain_id is also set or was set beforehand");
  std::string_view source = "computer";
  if (auto v = body.if_contains("audio_source"); v && v->is_string())
    source = v->as_string();
  else if (existing && existing->at("audio_source").is_string())
    source = existing->at("audio_source").as_string();
  if (source == "phone" && touched({"audio_source", "phone"}) && !effective("phone"))
    fail("phone", "must be set when audio_source is phone");
  if (source == "sip_phone" && touched({"audio_source", "sip_domain_id", "sip_extension"})) {
    if (!effective("sip_domain_id"))
      fail("sip_domain_id", "must be set when audio_source is sip_phone");
    if (!effective("sip_extension"))
      fail("sip_extension", "must be set when audio_source is sip_phone");
  }
}

}  // namespace opsync::vendorsim::glia
