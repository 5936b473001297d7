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

/// Headers as a JSON array of [name, value] pairs, in order.
std::string headers_to_json(const std::vector<MessageHeader>& headers);
/// The inverse of headers_to_json; malformed entries are skipped.
std::vector<MessageHeader> headers_from_json(std::string_view text);

}  // namespace opsync::store_json
