#include "plugchat/plugchat_mapping.h"

#include <boost/json/array.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "framework/vendor_read.h"

namespace opsync {

namespace {

std::string_view string_attribute(const boost::json::object& attributes, std::string_view key) {
  const auto* v = attributes.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string operator_name(const boost::json::object& attributes) {
  std::string_view display = string_attribute(attributes, "display_name");
  if (!is_blank(display)) return std::string(display);
  std::string name(string_attribute(attributes, "given_name"));
  std::string_view family = string_attribute(attributes, "family_name");
  if (!is_blank(family)) name += (is_blank(name) ? "" : " ") + std::string(family);
  return is_blank(name) ? std::string() : name;
}

}  // namespace

MapResult map_plugchat_operator(const CanonicalOperator& op, const MappingTables& tables) {
  const boost::json::object& a = op.attributes;
  MapResult out;

  std::string name = operator_name(a);
  if (name.empty()) {
    return MapResult::failure(
        "Plug Chat requires a non-blank 'name' (from display_name or given_name/family_name)");
  }
  out.fields["name"] = name;

  bool active = true;
  if (const auto* v = a.if_contains("active"); v != nullptr && v->is_bool()) active = v->as_bool();
  out.fields["active"] = active && !op.deleted;

  boost::json::array departments;
  if (const auto* v = a.if_contains("teams"); v != nullptr && v->is_array()) {
    std::vector<std::string> teams;
    for (const auto& t : v->as_array()) {
      if (!t.is_string()) return MapResult::failure("'teams' must be a list of names");
      teams.emplace_back(t.as_string());
    }
    std::vector<std::string> ids;
    if (auto error = tables.teams.lookup_all(teams, ids)) return MapResult::failure(*error);
    for (auto& id : ids) {
      bool seen = false;  // two teams on one department: send the id once
      for (const auto& d : departments) seen = seen || d.as_string() == id;
      if (!seen) departments.emplace_back(id);
    }
  }
  out.fields["departments"] = std::move(departments);

  out.fields["isAdmin"] = string_attribute(a, "role") == "admin";
  return out;
}

std::optional<VendorRecord> plugchat_vendor_record(const boost::json::value& entry) {
  const boost::json::object* o = entry.if_object();
  const boost::json::value* id = o ? o->if_contains("id") : nullptr;
  if (id == nullptr || !id->is_string() || id->as_string().empty()) return std::nullopt;
  VendorRecord out;
  out.vendor_id = std::string(id->as_string());
  if (const auto* v = o->if_contains("name"); v != nullptr && (v->is_string() || v->is_null())) {
    out.fields["name"] = *v;
  }
  if (const auto* v = o->if_contains("active"); v != nullptr && v->is_bool()) {
    out.fields["active"] = *v;
  }
  if (const auto* v = o->if_contains("departments"); v != nullptr && v->is_array()) {
    out.fields["departments"] = sorted_set(v->as_array());
  }
  return out;
}

}  // namespace opsync
