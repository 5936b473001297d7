// Duplicate records at a simulated vendor: records that share the natural key a vendor's
// operators are told apart by. A create sent twice (its answer lost, then retried blindly) shows
// up here.
#pragma once

#include <boost/json/array.hpp>

#include "vendorsim/vendor.h"

namespace opsync::vendorsim {

/// Groups of `records` (as VendorSim::records() returns them) that share `vendor`'s natural
/// key, each `{"key": "...", "ids": [...]}`; empty when there are none. The keys: Glia, iAdvize
/// and CommPeak the e-mail address (case-insensitive; iAdvize also `external_id`); IdentityCall
/// the e-mail address, or name plus phone number for a record without one; Plug Chat the name
/// (its records have no e-mail).
json::array find_duplicates(Vendor vendor, const json::array& records);

}  // namespace opsync::vendorsim
