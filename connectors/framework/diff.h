#pragma once
// The partial update: which mapped fields differ from what the vendor last acknowledged (its
// shadow). Pure functions on JSON objects.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "framework/connector.h"

namespace opsync {

/// The fields of `desired` whose value differs from `shadow` (deep JSON equality), plus a clear
/// for every field present in `shadow` but absent from `desired`: JSON null or "" according to
/// `clear`, or nothing when the vendor cannot clear. Empty when nothing changed.
boost::json::object diff_fields(const boost::json::object& desired,
                                const boost::json::object& shadow, ClearStyle clear);

/// `changed` plus every field of `required` that `desired` holds (the fields a vendor needs on
/// every call). Does not add required fields to an empty diff: no difference, no request.
void add_required_fields(boost::json::object& changed, const boost::json::object& desired,
                         const std::vector<std::string>& required);

/// The shadow after the vendor acknowledged `acknowledged`: a field absent from `desired` (a
/// clear) is removed, every other acknowledged field takes the acknowledged value. A shadow
/// never holds null.
boost::json::object merge_into_shadow(boost::json::object shadow,
                                      const boost::json::object& acknowledged,
                                      const boost::json::object& desired);

}  // namespace opsync
