#pragma once
// The iAdvize mapping: a pure function from the canonical operator to iAdvize REST v2 operator
// fields (seed 003, "Fields"), with iAdvize's documented value rules checked before anything is
// sent. Values are typed JSON (booleans, integers, lists); iadvize_form.h puts them on the wire.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "framework/connector.h"
#include "framework/mapping_tables.h"
#include "model/canonical_operator.h"

namespace opsync::iadvize {

/// Maps `op` with the instance's tables (`teams` -> group_id, `languages` -> language_admin).
///
/// Fields: external_id (the canonical id, always), first_name (given_name), name (family_name,
/// else display_name), email, roles ([role]), chat_enabled / call_enabled / video_enabled
/// (channels chat / voice / video; all false when the operator is inactive or deleted),
/// chat_max_number (max_concurrent_chats), language_list (languages), language_admin (locale),
/// group_id (teams, only when the `teams` table is configured). A canonical attribute that is
/// absent gives no field. A value iAdvize would refuse is a failure naming the rule.
MapResult map_operator(const CanonicalOperator& op, const MappingTables& tables);

/// One operator of an iAdvize answer (`data` of `GET /operator/{id}`, an entry of
/// `GET /operator`) under map()'s names and forms: external_id, first_name, name, email, roles
/// and language_list (sorted sets), chat_enabled / call_enabled / video_enabled (booleans, also
/// from 0/1 or "0"/"1"), chat_max_number and group_id (integers, also from their text),
/// language_admin. A field iAdvize answers null stays null. nullopt when it has no id.
std::optional<VendorRecord> vendor_record(const boost::json::value& op);

/// True for `de`, `en`, `es` and `fr`, the admin languages the seed allows.
bool is_admin_language(std::string_view code);

/// A group id from configuration: a positive decimal integer, else nullopt.
std::optional<std::int64_t> parse_group_id(std::string_view text);

/// A plausible e-mail address (one `@`, a dot in the domain, no spaces or control characters).
bool is_valid_email(std::string_view email);

}  // namespace opsync::iadvize
