#include "glia/glia_mapping.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "framework/attributes.h"

namespace opsync {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxPhoneExtension = 25;
constexpr std::size_t kMaxSipExtension = 30;

// RFC 3261 25.1 "user" characters (unreserved, escaped, user-unreserved).
bool is_sip_user(std::string_view s) {
  constexpr std::string_view kExtra = "-_.!~*'()&=+$,;?/%";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

// "sip:1001@pbx.example.com;transport=tls" -> "1001".
std::string sip_user(std::string_view uri) {
  if (auto colon = uri.find(':'); colon != std::string_view::npos) uri.remove_prefix(colon + 1);
  const auto at = uri.find('@');
  return at == std::string_view::npos ? std::string() : std::string(uri.substr(0, at));
}

// The assignments Glia expects: one entry per site, its teams in canonical order.
MapResult add_assignments(const json::array& teams, const GliaMapping& mapping,
                          json::object& fields) {
  std::vector<std::pair<std::string, json::array>> sites;
  for (const json::value& team : teams) {
    if (!team.is_string()) return MapResult::failure("teams: every team must be a string");
    Mapped m = mapping.teams.lookup(team.as_string());
    if (!m.ok()) return MapResult::failure(std::move(m.error));
    std::string site = mapping.site_id;
    std::string team_id = m.value;
    if (auto slash = m.value.find('/'); slash != std::string::npos) {
      site = m.value.substr(0, slash);
      team_id = m.value.substr(slash + 1);
    }
    auto it =
        std::find_if(sites.begin(), sites.end(), [&](const auto& s) { return s.first == site; });
    if (it == sites.end()) {
      sites.emplace_back(site, json::array());
      it = std::prev(sites.end());
    }
    if (std::find(it->second.begin(), it->second.end(), json::value(team_id)) == it->second.end()) {
      it->second.emplace_back(team_id);
    }
  }
  json::array assignments;
  for (auto& [site, ids] : sites) {
    assignments.push_back(json::object{{"site_id", site}, {"team_ids", std::move(ids)}});
  }
  if (!assignments.empty()) fields["assignments"] = std::move(assignments);
  return {};
}

}  // namespace

GliaMapping GliaMapping::from_settings(const std::string& instance, const GliaSettings& settings) {
  GliaMapping m;
  m.teams = MappingTables::from_config(instance, settings.teams, {}, {}).teams;
  m.site_id = settings.site_id;
  m.audio_source = settings.audio_source;
  m.sip_domain_id = settings.sip_domain_id;
  return m;
}

json::value glia_assignments_set(const json::value& assignments) {
  if (!assignments.is_array()) return assignments;
  std::map<std::string, std::set<std::string>> sites;
  for (const json::value& a : assignments.as_array()) {
    const json::object* o = a.if_object();
    const json::value* site = o ? o->if_contains("site_id") : nullptr;
    if (site == nullptr || !site->is_string()) return assignments;
    std::set<std::string>& teams = sites[std::string(site->as_string())];
    const json::value* ids = o->if_contains("team_ids");
    if (ids == nullptr) continue;
    if (!ids->is_array()) return assignments;
    for (const json::value& t : ids->as_array()) {
      if (!t.is_string()) return assignments;
      teams.emplace(t.as_string());
    }
  }
  json::array out;
  for (const auto& [site, teams] : sites) {
    json::array ids;
    for (const std::string& t : teams) ids.emplace_back(t);
    out.push_back(json::object{{"site_id", site}, {"team_ids", std::move(ids)}});
  }
  return out;
}

std::optional<VendorRecord> glia_vendor_record(const json::value& op) {
  const json::object* o = op.if_object();
  const json::value* id = o ? o->if_contains("id") : nullptr;
  if (id == nullptr || !id->is_string() || id->as_string().empty()) return std::nullopt;
  VendorRecord out;
  out.vendor_id = std::string(id->as_string());
  auto copy = [&](std::string_view key, auto is_type) {
    const json::value* v = o->if_contains(key);
    if (v != nullptr && (v->is_null() || is_type(*v))) out.fields[key] = *v;
  };
  const auto is_string = [](const json::value& v) { return v.is_string(); };
  for (std::string_view key : {"name", "email", "phone", "phone_extension", "audio_source",
                               "sip_domain_id", "sip_extension"}) {
    copy(key, is_string);
  }
  copy("enabled", [](const json::value& v) { return v.is_bool(); });
  copy("max_engagement_count", [](const json::value& v) { return v.is_int64() || v.is_uint64(); });
  if (const json::value* a = o->if_contains("assignments"); a != nullptr && a->is_array()) {
    out.fields["assignments"] = glia_assignments_set(*a);
  }
  return out;
}

bool is_glia_phone_extension(std::string_view s) {
  const auto digits =
      std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  return s.size() <= kMaxPhoneExtension && digits >= 1 && digits <= 7 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == ','; });
}

bool is_glia_e164(std::string_view s) {
  return s.size() >= 3 && s.size() <= 16 && s[0] == '+' && s[1] != '0' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

MapResult map_glia_operator(const CanonicalOperator& op, const GliaMapping& mapping) {
  const json::object& a = op.attributes;
  MapResult out;
  json::object& f = out.fields;

  if (std::string name = trimmed_operator_name(a); !name.empty()) f["name"] = name;
  if (auto email = string_attribute(a, "email"); !email.empty()) f["email"] = email;

  const std::string_view phone = string_attribute(a, "phone");
  if (!phone.empty()) {
    if (!is_glia_e164(phone))
      return MapResult::failure("phone: Glia requires E.164 (+ and digits)");
    f["phone"] = phone;
  }
  if (auto ext = string_attribute(a, "phone_extension"); !ext.empty()) {
    if (!is_glia_phone_extension(ext)) {
      return MapResult::failure(
          "phone_extension: Glia requires 1-7 digits and any number of ',' (at most 25 "
          "characters)");
    }
    // Seed 000: "valid only if phone is also set or was set beforehand". Glia may hold a phone
    // that opsync never sent (set in its UI), so an extension without a canonical phone is
    // sent, and Glia judges it (a 422 in its words when it holds no phone either).
    f["phone_extension"] = ext;
  }

  const json::value* active = a.if_contains("active");
  f["enabled"] = !op.deleted && !(active && active->is_bool() && !active->as_bool());

  if (const json::value* chats = a.if_contains("max_concurrent_chats")) {
    const auto n = chats->if_int64();
    if (!n || *n < 1) {
      return MapResult::failure(
          "max_concurrent_chats: Glia's max_engagement_count must be a positive integer");
    }
    f["max_engagement_count"] = *n;
  }

  if (const json::value* teams = a.if_contains("teams")) {
    if (!teams->is_array()) return MapResult::failure("teams: must be a list of team names");
    // An empty list is not sent: Glia refuses empty assignments (one site must remain).
    if (MapResult r = add_assignments(teams->as_array(), mapping, f); !r.ok()) return r;
  }

  // SIP: Glia's sip_extension is the user part of the canonical sip_uri, on the configured domain.
  std::string sip_extension;
  if (auto uri = string_attribute(a, "sip_uri"); !uri.empty() && !mapping.sip_domain_id.empty()) {
    sip_extension = sip_user(uri);
    if (sip_extension.size() > kMaxSipExtension) {
      return MapResult::failure("sip_uri: Glia's sip_extension is at most 30 characters");
    }
    if (!is_sip_user(sip_extension)) {
      return MapResult::failure("sip_uri: Glia's sip_extension must be an RFC 3261 user part");
    }
    f["sip_domain_id"] = mapping.sip_domain_id;
    f["sip_extension"] = sip_extension;
  }

  std::string source = mapping.audio_source;
  if (source == "auto") {
    source = !sip_extension.empty() ? "sip_phone" : !phone.empty() ? "phone" : "computer";
  }
  if (source == "phone" && phone.empty()) {
    return MapResult::failure("audio_source: Glia requires a phone when audio_source is phone");
  }
  if (source == "sip_phone" && sip_extension.empty()) {
    return MapResult::failure(
        "audio_source: Glia requires sip_domain_id and sip_extension (from sip_uri) when "
        "audio_source is sip_phone");
  }
  if (source != "none") f["audio_source"] = source;
  return out;
}

}  // namespace opsync
