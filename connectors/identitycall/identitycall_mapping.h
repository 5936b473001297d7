#pragma once
// Canonical operator -> IdentityCall's update-operator fields (seed 002, "Update Operator"):
// name, phone_number, email, active. Pure: no I/O.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "framework/connector.h"

namespace opsync {

/// Fields the record does not set are absent (the diff turns a field that disappears into a
/// clear; IdentityCall can clear only `email`).
MapResult map_identitycall_operator(const CanonicalOperator& op);

/// E.164 as IdentityCall stores it: '+', 7 to 15 digits, the first not 0.
bool is_identitycall_phone(std::string_view s);

/// Whether `id` is an IdentityCall operator id (a decimal integer).
bool is_identitycall_id(std::string_view id);

/// An operator id as IdentityCall answers it (an integer, or its text) as text; nullopt when it
/// is neither.
std::optional<std::string> identitycall_id_text(const boost::json::value* id);

/// One operator of an IdentityCall answer (`data` of `GET /operators/{id}`, an entry of
/// `GET /operators`) under map()'s names and forms: name, phone_number (E.164), email (null when
/// cleared), active. nullopt when it has no id.
std::optional<VendorRecord> identitycall_vendor_record(const boost::json::value& op);

}  // namespace opsync
