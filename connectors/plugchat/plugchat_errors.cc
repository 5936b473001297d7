#include "plugchat/plugchat_errors.h"

#include "common/redact.h"
#include "framework/vendor_call.h"

namespace opsync {

std::string plugchat_error_message(unsigned status, std::string_view body) {
  std::string words;
  if (auto object = parse_json_object(body)) {
    if (const auto* m = object->if_contains("message"); m != nullptr && m->is_string()) {
      words = m->as_string();
    }
    if (const auto* e = object->if_contains("errors"); e != nullptr && e->is_array()) {
      for (const auto& item : e->as_array()) {
        if (!item.is_string() || item.as_string() == words) continue;
        words += (words.empty() ? "" : "; ") + std::string(item.as_string());
      }
    }
  } else if (!body.empty()) {
    words = redact_json_body(body.substr(0, 2048));
  }
  if (words.empty()) {
    switch (status) {  // the seed documents these answers without a body
      case 404:
        words = "not found (unknown account or operator id)";
        break;
      case 405:
        words = "method not allowed";
        break;
      case 415:
        words = "Content-Type must be application/json";
        break;
      default:
        words = "no error message";
    }
  }
  return "Plug Chat " + std::to_string(status) + ": " + words;
}

}  // namespace opsync
