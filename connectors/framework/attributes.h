#pragma once
// Reading a canonical operator's attributes, for the pure mappings (<type>_mapping.cc).

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace opsync {

/// The attribute `key` when it is a string, else "".
std::string_view string_attribute(const boost::json::object& attributes, std::string_view key);

/// `s` without leading and trailing spaces and tabs.
std::string trim_blanks(std::string_view s);

/// `display_name`, else "given_name family_name", each trimmed; "" when none is set.
std::string trimmed_operator_name(const boost::json::object& attributes);

}  // namespace opsync
