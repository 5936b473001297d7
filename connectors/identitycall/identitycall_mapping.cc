#include "identitycall/identitycall_mapping.h"

#include <algorithm>
#include <string>

namespace opsync {

namespace {

namespace json = boost::json;

std::string_view string_attr(const json::object& attributes, std::string_view key) {
  const json::value* v = attributes.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

}  // namespace

bool is_identitycall_phone(std::string_view s) {
  return s.size() >= 8 && s.size() <= 16 && s[0] == '+' && s[1] != '0' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

MapResult map_identitycall_operator(const CanonicalOperator& op) {
  const json::object& a = op.attributes;
  MapResult out;
  json::object& f = out.fields;
  std::string name = trim(string_attr(a, "display_name"));
  if (name.empty()) {
    name = trim(trim(string_attr(a, "given_name")) + " " + trim(string_attr(a, "family_name")));
  }
  if (!name.empty()) f["name"] = name;
  if (auto phone = string_attr(a, "phone"); !phone.empty()) {
    if (!is_identitycall_phone(phone)) {
      return MapResult::failure(
          "phone: IdentityCall's phone_number must be E.164 (+ and 7-15 digits)");
    }
    f["phone_number"] = phone;
  }
  if (auto email = string_attr(a, "email"); !email.empty()) f["email"] = email;
  const json::value* active = a.if_contains("active");
  f["active"] = !op.deleted && !(active && active->is_bool() && !active->as_bool());
  return out;
}

}  // namespace opsync
