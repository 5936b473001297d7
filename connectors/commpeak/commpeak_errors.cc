#include "commpeak/commpeak_errors.h"

#include <boost/json/serialize.hpp>

#include "common/redact.h"
#include "framework/vendor_call.h"

namespace opsync {

std::string commpeak_error_message(unsigned status, std::string_view body) {
  std::string words;
  if (auto object = parse_json_object(body)) {
    if (const auto* m = object->if_contains("message"); m != nullptr && m->is_string()) {
      words = m->as_string();
    } else if (const auto* e = object->if_contains("error"); e != nullptr && e->is_string()) {
      words = e->as_string();
    }
    std::string details;
    if (const auto* errors = object->if_contains("errors")) {
      if (errors->is_object()) {
        for (const auto& [field, problem] : errors->as_object()) {
          details += (details.empty() ? "" : "; ") + std::string(field) + ": " +
                     (problem.is_string() ? std::string(problem.as_string())
                                          : boost::json::serialize(problem));
        }
      } else if (errors->is_array()) {
        for (const auto& problem : errors->as_array()) {
          details += (details.empty() ? "" : "; ") + (problem.is_string()
                                                          ? std::string(problem.as_string())
                                                          : boost::json::serialize(problem));
        }
      }
    }
    if (!details.empty())
      words += (words.empty() ? "" : " (") + details + (words.empty() ? "" : ")");
    if (words.empty()) words = redact_json_body(body.substr(0, 2048));
  } else {
    words = std::string(body.substr(0, 2048));
  }
  if (words.empty()) words = "no error message";
  return "CommPeak " + std::to_string(status) + ": " + words;
}

}  // namespace opsync
