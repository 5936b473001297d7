#pragma once
// The canonical attributes of event contract v1: which names exist, and how each value is
// validated and normalised.

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string_view>

#include "events/decode_error.h"
#include "events/decoder_limits.h"
#include "events/operator_event.h"

namespace opsync {

/// Every canonical attribute name, in the order of the contract.
std::span<const std::string_view> canonical_attribute_names();

/// Validates `attributes` (an event's `data.attributes`) and emplaces each normalised value into
/// `out`, keeping the input order. A JSON null is kept in patch mode (it clears the attribute)
/// and dropped in snapshot mode. Returns the first problem, its detail naming the path under
/// "data.attributes"; `out` is then partially filled and should be discarded.
/// Throws only std::bad_alloc.
std::optional<DecodeError> validate_attributes(const boost::json::object& attributes,
                                               EventMode mode, const DecoderLimits& limits,
                                               boost::json::object& out);

}  // namespace opsync
