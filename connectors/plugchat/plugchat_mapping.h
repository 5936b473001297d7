#pragma once
// The Plug Chat field object for a canonical operator: a pure function, no I/O.

#include <boost/json/value.hpp>
#include <optional>

#include "framework/connector.h"
#include "framework/mapping_tables.h"
#include "model/canonical_operator.h"

namespace opsync {

/// Maps `op` to Plug Chat's update fields, in this order:
///   name        display_name, else "given_name family_name" (required, not blank)
///   active      active (default true), false once the operator is deleted
///   departments teams through `tables.teams` (always sent; [] when there are no teams)
///   isAdmin     role == "admin" (a boolean, as vendors.md says to send)
/// A record Plug Chat would refuse (blank name, unmapped team) is a failure naming the rule.
MapResult map_plugchat_operator(const CanonicalOperator& op, const MappingTables& tables);

/// One entry of Plug Chat's operator list (`GET .../operators`, a bare array of `{id, name,
/// active, departments, accessToken, createdAt}`) under map()'s names and forms: name, active,
/// departments (a sorted set). `isAdmin` is not in the list and is absent; the accessToken (a
/// credential) is never kept. nullopt when the entry has no string "id".
std::optional<VendorRecord> plugchat_vendor_record(const boost::json::value& entry);

}  // namespace opsync
