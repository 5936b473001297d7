#pragma once
// The CommPeak user fields for a canonical operator: a pure function, no I/O.

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

/// The `default_language` for `locale`, or an error naming the locale and the table.
Mapped commpeak_language(std::string_view locale, const MappingTables& tables);

}  // namespace opsync
