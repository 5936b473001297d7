#pragma once
// The CommPeak user fields for a canonical operator: a pure function, no I/O.

#include <boost/json/value.hpp>
#include <optional>

#include "framework/connector.h"
#include "framework/mapping_tables.h"
#include "model/canonical_operator.h"

namespace opsync {

/// Maps `op` to CommPeak's `PUT /api/users/{id}` fields (types as the seed gives them):
///   first_name, last_name   given_name, family_name (strings)
///   email                   email (a valid address)
///   is_active               1 if active (default true) and not deleted, else 0
///   sip_uri                 sip_uri
///   timezone_id             timezone through tables.time_zones (a number)
///   default_language        locale through tables.languages, else its xx_YY form when that is
///                           en_US, es_ES, pt_BR or ru_RU
///   max_concurrent_sessions max_concurrent_chats, as a decimal string (>= 0)
///   use_webrtc              channels.voice as 0/1 (the browser softphone); absent when unknown
/// Absent canonical attributes give absent fields. A record CommPeak would refuse is a failure
/// naming the rule.
MapResult map_commpeak_user(const CanonicalOperator& op, const MappingTables& tables);

/// One user of a CommPeak answer (`GET /api/users/{id}`, an entry of `GET /api/users`), which
/// carries every value as a string, under map()'s names and forms: first_name, last_name, email,
/// sip_uri, default_language and max_concurrent_sessions as strings; is_active and use_webrtc
/// as the numbers 0/1; timezone_id as a number. A value that does not read as its form is left
/// out. nullopt when the user has no positive id.
std::optional<VendorRecord> commpeak_vendor_record(const boost::json::value& user);

/// The `default_language` for `locale`, or an error naming the locale and the table.
Mapped commpeak_language(std::string_view locale, const MappingTables& tables);

}  // namespace opsync
