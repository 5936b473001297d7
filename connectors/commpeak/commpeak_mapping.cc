#include "commpeak/commpeak_mapping.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "commpeak/commpeak_settings.h"

namespace opsync {

namespace {

const boost::json::value* attribute(const boost::json::object& a, std::string_view key) {
  const auto* v = a.if_contains(key);
  return v != nullptr && !v->is_null() ? v : nullptr;
}

// local@domain with a dot in the domain, no spaces: what CommPeak's "email address" can mean
// without being stricter than the event decoder.
bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         s.find_first_of(" \t\r\n") == std::string_view::npos;
}

bool is_commpeak_language(std::string_view code) {
  return std::find(std::begin(kCommPeakLanguages), std::end(kCommPeakLanguages), code) !=
         std::end(kCommPeakLanguages);
}

}  // namespace

Mapped commpeak_language(std::string_view locale, const MappingTables& tables) {
  Mapped configured = tables.language_for_locale(locale);
  if (configured.ok()) return configured;
  std::string code(locale);
  std::replace(code.begin(), code.end(), '-', '_');
  if (is_commpeak_language(code)) return {code, {}};
  return {{},
          "locale '" + std::string(locale) +
              "' is not a CommPeak default_language (en_US, es_ES, pt_BR, ru_RU) and has no "
              "mapping in " +
              tables.languages.key_path()};
}

MapResult map_commpeak_user(const CanonicalOperator& op, const MappingTables& tables) {
  const boost::json::object& a = op.attributes;
  MapResult out;

  for (auto [canonical, field] :
       {std::pair<std::string_view, std::string_view>{"given_name", "first_name"},
        {"family_name", "last_name"}}) {
    if (const auto* v = attribute(a, canonical)) {
      if (!v->is_string()) return MapResult::failure(std::string(canonical) + " must be a string");
      out.fields[field] = v->as_string();
    }
  }
  if (const auto* v = attribute(a, "email")) {
    if (!v->is_string() || !is_email(v->as_string())) {
      return MapResult::failure("CommPeak 'email' must be a valid email address");
    }
    out.fields["email"] = v->as_string();
  }

  bool active = true;
  if (const auto* v = attribute(a, "active"); v != nullptr && v->is_bool()) active = v->as_bool();
  out.fields["is_active"] = (active && !op.deleted) ? 1 : 0;

  if (const auto* v = attribute(a, "sip_uri")) {
    if (!v->is_string()) return MapResult::failure("sip_uri must be a string");
    out.fields["sip_uri"] = v->as_string();
  }
  if (const auto* v = attribute(a, "timezone")) {
    if (!v->is_string()) return MapResult::failure("timezone must be a string");
    Mapped zone = tables.time_zones.lookup(v->as_string());
    if (!zone.ok()) return MapResult::failure(zone.error);
    out.fields["timezone_id"] = std::stoll(zone.value);  // checked positive at start-up
  }
  if (const auto* v = attribute(a, "locale")) {
    if (!v->is_string()) return MapResult::failure("locale must be a string");
    Mapped language = commpeak_language(v->as_string(), tables);
    if (!language.ok()) return MapResult::failure(language.error);
    out.fields["default_language"] = language.value;
  }
  if (const auto* v = attribute(a, "max_concurrent_chats")) {
    if (!v->is_int64() && !v->is_uint64()) {
      return MapResult::failure("max_concurrent_chats must be an integer");
    }
    if (v->is_int64() && v->as_int64() < 0) {
      return MapResult::failure("CommPeak 'max_concurrent_sessions' must not be negative");
    }
    out.fields["max_concurrent_sessions"] =
        v->is_int64() ? std::to_string(v->as_int64()) : std::to_string(v->as_uint64());
  }
  if (const auto* channels = attribute(a, "channels");
      channels != nullptr && channels->is_object()) {
    if (const auto* voice = attribute(channels->as_object(), "voice");
        voice != nullptr && voice->is_bool()) {
      out.fields["use_webrtc"] = voice->as_bool() ? 1 : 0;
    }
  }
  return out;
}

namespace {

// A number CommPeak answers as text ("7") or as a number.
std::optional<std::int64_t> number_of(const boost::json::value& v) {
  if (auto n = v.if_int64()) return *n;
  if (v.is_string()) {
    std::int64_t n = 0;
    const std::string_view text = v.as_string();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!text.empty() && ec == std::errc{} && end == text.data() + text.size()) return n;
  }
  return std::nullopt;
}

}  // namespace

std::optional<VendorRecord> commpeak_vendor_record(const boost::json::value& user) {
  const boost::json::object* o = user.if_object();
  const boost::json::value* id = o ? o->if_contains("id") : nullptr;
  const std::optional<std::int64_t> number = id ? number_of(*id) : std::nullopt;
  if (!number || *number < 1) return std::nullopt;
  VendorRecord out;
  out.vendor_id = std::to_string(*number);
  boost::json::object& f = out.fields;
  for (std::string_view key : {"first_name", "last_name", "email", "sip_uri", "default_language"}) {
    if (const auto* v = o->if_contains(key); v && (v->is_string() || v->is_null())) f[key] = *v;
  }
  // map() sends max_concurrent_sessions as a decimal string (the seed's type): the same form.
  if (const auto* v = o->if_contains("max_concurrent_sessions")) {
    if (auto n = number_of(*v)) f["max_concurrent_sessions"] = std::to_string(*n);
  }
  for (std::string_view key : {"is_active", "use_webrtc"}) {
    if (const auto* v = o->if_contains(key)) {
      if (auto n = number_of(*v); n && (*n == 0 || *n == 1)) f[key] = *n;
    }
  }
  if (const auto* v = o->if_contains("timezone_id")) {
    if (auto n = number_of(*v)) f["timezone_id"] = *n;
  }
  return out;
}

}  // namespace opsync
