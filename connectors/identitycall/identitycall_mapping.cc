#include "identitycall/identitycall_mapping.h"

#include <algorithm>
#include <string>

#include "framework/attributes.h"
#include "framework/vendor_read.h"

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

bool is_identitycall_id(std::string_view id) {
  return !id.empty() && id.size() <= 19 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> identitycall_id_text(const json::value* id) {
  if (id == nullptr) return std::nullopt;
  if (auto n = id->if_int64(); n && *n > 0) return std::to_string(*n);
  if (auto n = id->if_uint64(); n && *n > 0) return std::to_string(*n);
  if (id->is_string() && is_identitycall_id(id->as_string())) return std::string(id->as_string());
  return std::nullopt;
}

std::optional<VendorRecord> identitycall_vendor_record(const json::value& op) {
  const json::object* o = op.if_object();
  if (o == nullptr) return std::nullopt;
  std::optional<std::string> id = identitycall_id_text(o->if_contains("id"));
  if (!id) return std::nullopt;
  VendorRecord out;
  out.vendor_id = std::move(*id);
  for (std::string_view key : {"name", "email"}) {
    if (const json::value* v = o->if_contains(key); v && (v->is_string() || v->is_null())) {
      out.fields[key] = *v;
    }
  }
  if (const json::value* v = o->if_contains("phone_number"); v && v->is_string()) {
    out.fields["phone_number"] = e164_form(v->as_string());
  } else if (v && v->is_null()) {
    out.fields["phone_number"] = nullptr;
  }
  if (const json::value* v = o->if_contains("active"); v && v->is_bool()) out.fields["active"] = *v;
  return out;
}

}  // namespace opsync
