#pragma once
// iAdvize request bodies and query strings. The seed names its fields the way HTML forms do
// (`chat[available]`), so bodies are application/x-www-form-urlencoded: booleans as 1/0,
// lists as `key[]=a&key[]=b`, keys in alphabetical order so that a body is reproducible. Keys
// and values are percent-encoded (`[` is `%5B`): RFC 3986 does not allow raw brackets in a
// query, and form bodies follow the same serializer.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace opsync::iadvize {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

/// Percent-encodes a form value (space as `+`; unreserved characters kept).
std::string form_escape(std::string_view value);

/// Encodes `fields` as a form body. Strings are escaped, booleans are 1/0, integers decimal,
/// lists `key[]=v` per item (an empty list is `key=`), null `key=`, objects `key[sub]=v`.
std::string encode_form(const boost::json::object& fields);

/// What a partial update puts on the wire: `changed` with each clear (null) either turned into
/// what iAdvize understands (an empty string for first_name and name, an empty list for
/// language_list) or dropped when iAdvize has no way to clear the field (see the docs).
boost::json::object wire_fields(const boost::json::object& changed);

}  // namespace opsync::iadvize
