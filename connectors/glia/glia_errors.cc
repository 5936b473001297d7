#include "glia/glia_errors.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "framework/vendor_call.h"

namespace opsync {

namespace json = boost::json;

std::string glia_error_message(unsigned status, std::string_view body) {
  const std::optional<json::object> o = parse_json_object(body);
  if (!o) return raw_error_message(status, body);
  std::string message;
  for (std::string_view key : {"message", "error"}) {
    if (const json::value* v = o->if_contains(key); v && v->is_string() && message.empty()) {
      message = v->as_string();
    }
  }
  if (const json::value* errors = o->if_contains("errors"); errors && errors->is_object()) {
    std::string details;
    for (const auto& [field, messages] : errors->as_object()) {
      // A named copy: lambdas may not capture structured bindings before C++20 (clang < 16).
      const std::string_view name = field;
      auto add = [&](const json::value& m) {
        details += (details.empty() ? "" : "; ") + std::string(name) + " " +
                   (m.is_string() ? std::string(m.as_string()) : json::serialize(m));
      };
      if (messages.is_array()) {
        for (const auto& m : messages.as_array()) add(m);
      } else {
        add(messages);
      }
    }
    if (!details.empty()) message += (message.empty() ? "" : ": ") + details;
  }
  if (message.empty()) message = std::string(body.substr(0, 1024));
  return message;
}

}  // namespace opsync
