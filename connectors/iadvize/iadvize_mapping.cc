#include "iadvize/iadvize_mapping.h"

#include <boost/json/array.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "framework/vendor_read.h"

namespace opsync::iadvize {
namespace {

const boost::json::value* find(const boost::json::object& attributes, std::string_view key) {
  const boost::json::value* v = attributes.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

bool is_iso639_1(std::string_view code) {
  return code.size() == 2 && code[0] >= 'a' && code[0] <= 'z' && code[1] >= 'a' && code[1] <= 'z';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The admin language for a locale: the table (exact locale, then its language) first, else the
// locale's own language when iAdvize offers it.
Mapped admin_language(std::string_view locale, const MappingTables& tables) {
  if (!tables.languages.empty()) {
    Mapped m = tables.language_for_locale(locale);
    if (m.ok()) return m;
  }
  const std::string language = lower(locale.substr(0, locale.find_first_of("-_")));
  if (is_admin_language(language)) return {language, {}};
  std::string where = tables.languages.key_path().empty() ? std::string("the languages table")
                                                          : tables.languages.key_path();
  return {{},
          "locale '" + std::string(locale) +
              "': iAdvize language_admin must be de, en, es or fr; map it in " + where};
}

}  // namespace

bool is_admin_language(std::string_view code) {
  return code == "de" || code == "en" || code == "es" || code == "fr";
}

std::optional<std::int64_t> parse_group_id(std::string_view text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < 1) {
    return std::nullopt;
  }
  return n;
}

bool is_valid_email(std::string_view email) {
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return false;
  const std::string_view domain = email.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) return false;
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

MapResult map_operator(const CanonicalOperator& op, const MappingTables& tables) {
  const boost::json::object& a = op.attributes;
  boost::json::object out;
  auto fail = [](std::string rule) { return MapResult::failure("iAdvize: " + std::move(rule)); };

  out["external_id"] = op.id;

  auto text = [&](std::string_view key, std::string_view field) -> std::optional<std::string> {
    const boost::json::value* v = find(a, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return std::string(field) + " must be a string (" + std::string(key) + ")";
    out[field] = v->as_string();
    return std::nullopt;
  };
  if (auto e = text("given_name", "first_name")) return fail(*e);
  if (find(a, "family_name") != nullptr) {
    if (auto e = text("family_name", "name")) return fail(*e);
  } else if (auto e = text("display_name", "name")) {
    return fail(*e);
  }

  if (const boost::json::value* v = find(a, "email")) {
    if (!v->is_string() || !is_valid_email(v->as_string())) {
      return fail("email must be a valid email address");
    }
    out["email"] = v->as_string();
  }

  if (const boost::json::value* v = find(a, "role")) {
    const std::string_view role = v->is_string() ? std::string_view(v->as_string()) : "";
    if (role != "operator" && role != "manager" && role != "admin") {
      return fail("roles must be operator, manager or admin (role '" + std::string(role) + "')");
    }
    out["roles"] = boost::json::array{boost::json::string(role)};
  }

  // An inactive or deleted operator keeps its record but may take no conversation: every channel
  // is switched off. iAdvize has no "active" flag of its own.
  const boost::json::value* active = find(a, "active");
  const bool inactive =
      op.deleted || (active != nullptr && active->is_bool() && !active->as_bool());
  const boost::json::value* channels = find(a, "channels");
  if (channels != nullptr && !channels->is_object()) return fail("channels must be an object");
  for (auto [canonical, field] :
       {std::pair{"chat", "chat_enabled"}, std::pair{"voice", "call_enabled"},
        std::pair{"video", "video_enabled"}}) {
    const boost::json::value* on = channels ? find(channels->as_object(), canonical) : nullptr;
    if (on != nullptr && !on->is_bool()) {
      return fail(std::string(field) + " must be a boolean (channels." + canonical + ")");
    }
    if (inactive) {
      out[field] = false;
    } else if (on != nullptr) {
      out[field] = on->as_bool();
    }
  }

  if (const boost::json::value* v = find(a, "max_concurrent_chats")) {
    if (!v->is_int64() || v->as_int64() < 0) {
      return fail("chat_max_number must be an integer >= 0 (max_concurrent_chats)");
    }
    out["chat_max_number"] = v->as_int64();
  }

  if (const boost::json::value* v = find(a, "languages")) {
    if (!v->is_array()) return fail("language_list must be a list of ISO 639-1 codes");
    boost::json::array list;
    for (const auto& l : v->as_array()) {
      if (!l.is_string() || !is_iso639_1(l.as_string())) {
        return fail("language_list must be ISO 639-1 codes ('" +
                    (l.is_string() ? std::string(l.as_string()) : std::string("?")) + "')");
      }
      list.push_back(l);
    }
    out["language_list"] = std::move(list);
  }

  if (const boost::json::value* v = find(a, "locale")) {
    if (!v->is_string()) return fail("language_admin: locale must be a string");
    Mapped m = admin_language(v->as_string(), tables);
    if (!m.ok()) return fail(m.error);
    if (!is_admin_language(m.value)) {
      return fail("language_admin must be de, en, es or fr ('" + m.value + "' from " +
                  tables.languages.key_path() + ")");
    }
    out["language_admin"] = m.value;
  }

  // iAdvize holds one group per operator. Only managed when the teams table is configured; then
  // every team needs an entry and all of them must name the same group.
  if (const boost::json::value* v = find(a, "teams"); v != nullptr && !tables.teams.empty()) {
    if (!v->is_array()) return fail("teams must be a list of names");
    std::vector<std::string> names;
    for (const auto& t : v->as_array()) {
      if (!t.is_string()) return fail("teams must be a list of names");
      names.emplace_back(t.as_string());
    }
    std::vector<std::string> groups;
    if (auto error = tables.teams.lookup_all(names, groups)) return fail(*error);
    std::optional<std::int64_t> group;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      auto id = parse_group_id(groups[i]);
      if (!id)
        return fail("group_id must be an integer ('" + groups[i] + "' for team '" + names[i] +
                    "')");
      if (group && *group != *id) {
        return fail("an operator has one group_id, but teams '" + names.front() + "' and '" +
                    names[i] + "' map to groups " + std::to_string(*group) + " and " +
                    std::to_string(*id));
      }
      group = id;
    }
    if (group) out["group_id"] = *group;
  }
  return {std::move(out), {}};
}

namespace {

std::optional<std::int64_t> integer_of(const boost::json::value& v) {
  if (auto n = v.if_int64()) return *n;
  if (auto n = v.if_uint64();
      n && *n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(*n);
  }
  if (v.is_string()) {
    std::int64_t n = 0;
    const std::string_view text = v.as_string();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!text.empty() && ec == std::errc{} && end == text.data() + text.size()) return n;
  }
  return std::nullopt;
}

std::optional<bool> flag_of(const boost::json::value& v) {
  if (v.is_bool()) return v.as_bool();
  if (auto n = integer_of(v); n && (*n == 0 || *n == 1)) return *n == 1;
  return std::nullopt;
}

}  // namespace

std::optional<VendorRecord> vendor_record(const boost::json::value& op) {
  const boost::json::object* o = op.if_object();
  const boost::json::value* id = o ? o->if_contains("id") : nullptr;
  std::optional<std::int64_t> number = id ? integer_of(*id) : std::nullopt;
  if (!number || *number < 1) return std::nullopt;
  VendorRecord out;
  out.vendor_id = std::to_string(*number);
  boost::json::object& f = out.fields;
  for (std::string_view key : {"external_id", "first_name", "name", "email", "language_admin"}) {
    if (const auto* v = o->if_contains(key); v && (v->is_string() || v->is_null())) f[key] = *v;
  }
  for (std::string_view key : {"roles", "language_list"}) {
    if (const auto* v = o->if_contains(key); v && v->is_array()) f[key] = sorted_set(v->as_array());
  }
  for (std::string_view key : {"chat_enabled", "call_enabled", "video_enabled"}) {
    if (const auto* v = o->if_contains(key)) {
      if (auto b = flag_of(*v)) f[key] = *b;
    }
  }
  for (std::string_view key : {"chat_max_number", "group_id"}) {
    const auto* v = o->if_contains(key);
    if (v == nullptr) continue;
    if (v->is_null()) {
      f[key] = nullptr;
    } else if (auto n = integer_of(*v)) {
      f[key] = *n;
    }
  }
  return out;
}

}  // namespace opsync::iadvize
