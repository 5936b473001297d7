#pragma once
// JSON stored in text columns of the state store (attributes, shadows, dead-letter headers).

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events/operator_event.h"

namespace opsync::store_json {

/// Parses a stored JSON object. Throws sqlite::SqliteError if it is not one (a corrupt store).
boost::json::object parse_object(std::string_view text);

/// Dead-letter headers of rows written before schema 3: a JSON array of [name, value] pairs, in
/// order (newer rows keep them as bytes). Malformed entries are skipped.
std::vector<MessageHeader> headers_from_json(std::string_view text);

}  // namespace opsync::store_json
