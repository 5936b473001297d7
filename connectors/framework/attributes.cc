#include "framework/attributes.h"

#include <boost/json/value.hpp>

namespace opsync {

std::string_view string_attribute(const boost::json::object& attributes, std::string_view key) {
  const boost::json::value* v = attributes.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

std::string trim_blanks(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

std::string trimmed_operator_name(const boost::json::object& attributes) {
  std::string display = trim_blanks(string_attribute(attributes, "display_name"));
  if (!display.empty()) return display;
  return trim_blanks(trim_blanks(string_attribute(attributes, "given_name")) + " " +
                     trim_blanks(string_attribute(attributes, "family_name")));
}

}  // namespace opsync
