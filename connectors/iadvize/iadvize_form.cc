#include "iadvize/iadvize_form.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <vector>

namespace opsync::iadvize {
namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string scalar(const boost::json::value& v) {
  if (v.is_bool()) return v.as_bool() ? "1" : "0";
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_double()) return std::to_string(v.as_double());
  if (v.is_string()) return form_escape(v.as_string());
  return {};
}

void append(std::string& out, const std::string& key, const boost::json::value& v) {
  auto pair = [&out](const std::string& k, const std::string& value) {
    if (!out.empty()) out += '&';
    out += form_escape(k);  // `[` and `]` too, as the WHATWG form serializer does
    out += '=';
    out += value;
  };
  if (v.is_array()) {
    if (v.as_array().empty()) pair(key, {});
    for (const auto& item : v.as_array()) pair(key + "[]", scalar(item));
  } else if (v.is_object()) {
    std::vector<std::string> names;
    for (const auto& [k, unused] : v.as_object()) names.emplace_back(k);
    std::sort(names.begin(), names.end());
    for (const auto& k : names) append(out, key + "[" + k + "]", v.as_object().at(k));
  } else {
    pair(key, scalar(v));
  }
}

}  // namespace

std::string form_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (unreserved(c)) {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

std::string encode_form(const boost::json::object& fields) {
  std::vector<std::string> names;
  for (const auto& [k, unused] : fields) names.emplace_back(k);
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& k : names) append(out, k, fields.at(k));
  return out;
}

boost::json::object wire_fields(const boost::json::object& changed) {
  boost::json::object out;
  for (const auto& [key, value] : changed) {
    if (!value.is_null()) {
      out[key] = value;
    } else if (key == "first_name" || key == "name") {
      out[key] = "";
    } else if (key == "language_list") {
      out[key] = boost::json::array{};
    }
    // Otherwise iAdvize cannot clear the field (email, roles, channel flags, chat_max_number,
    // language_admin need a value; a form cannot send group_id null): it keeps its value.
  }
  return out;
}

}  // namespace opsync::iadvize
