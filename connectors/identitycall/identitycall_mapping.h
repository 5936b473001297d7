#pragma once
// Canonical operator -> IdentityCall's update-operator fields (seed 002, "Update Operator"):
// name, phone_number, email, active. Pure: no I/O.

#include <string_view>

#include "framework/connector.h"

namespace opsync {

/// Fields the record does not set are absent (the diff turns a field that disappears into a
/// clear; IdentityCall can clear only `email`).
MapResult map_identitycall_operator(const CanonicalOperator& op);

/// E.164 as IdentityCall stores it: '+', 7 to 15 digits, the first not 0.
bool is_identitycall_phone(std::string_view s);

}  // namespace opsync
