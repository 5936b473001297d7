#include "identitycall/identitycall_mapping.h"

#include <algorithm>
#include <string>

#include "framework/attributes.h"

namespace opsync {

namespace json = boost::json;

bool is_identitycall_phone(std::string_view s) {
  return s.size() >= 8 && s.size() <= 16 && s[0] == '+' && s[1] != '0' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

MapResult map_identitycall_operator(const CanonicalOperator& op) {
  const json::object& a = op.attributes;
  MapResult out;
  json::object& f = out.fields;
  if (std::string name = trimmed_operator_name(a); !name.empty()) f["name"] = name;
  if (auto phone = string_attribute(a, "phone"); !phone.empty()) {
    if (!is_identitycall_phone(phone)) {
      return MapResult::failure(
          "phone: IdentityCall's phone_number must be E.164 (+ and 7-15 digits)");
    }
    f["phone_number"] = phone;
  }
  if (auto email = string_attribute(a, "email"); !email.empty()) f["email"] = email;
  const json::value* active = a.if_contains("active");
  f["active"] = !op.deleted && !(active && active->is_bool() && !active->as_bool());
  return out;
}

}  // namespace opsync
