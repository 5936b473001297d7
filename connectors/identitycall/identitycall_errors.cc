#include "identitycall/identitycall_errors.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "framework/vendor_call.h"

namespace opsync {

namespace json = boost::json;

std::string identitycall_error_message(unsigned status, std::string_view body) {
  const std::optional<json::object> o = parse_json_object(body);
  if (!o) return raw_error_message(status, body);
  if (const json::value* e = o->if_contains("error"); e && e->is_string()) {
    return std::string(e->as_string());
  }
  if (const json::value* errors = o->if_contains("errors"); errors && errors->is_array()) {
    std::string out;
    for (const auto& e : errors->as_array()) {
      out += (out.empty() ? "" : "; ") +
             (e.is_string() ? std::string(e.as_string()) : json::serialize(e));
    }
    if (!out.empty()) return out;
  }
  return std::string(body.substr(0, 1024));
}

}  // namespace opsync
