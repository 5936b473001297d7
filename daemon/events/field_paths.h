#pragma once
// Pieces of the field paths that DecodeError details use ("data.attributes.teams[2]").

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace opsync {

/// "null", "boolean", "number", "string", "array" or "object".
std::string_view json_kind_name(const boost::json::value& value);

/// An object key as it appears in a path: as is when it is 1..64 of [A-Za-z0-9_-], else as a
/// quoted, truncated excerpt (keys are untrusted and may be huge).
std::string path_segment(std::string_view key);

}  // namespace opsync
