#pragma once
// Canonical operator -> Glia's update-operator fields (seed 000, "Update an Operator"). Pure: no
// I/O. A record Glia would refuse is a MapResult failure naming the rule, never sent.

#include <optional>
#include <string>
#include <string_view>

#include "framework/connector.h"
#include "framework/mapping_tables.h"
#include "glia/glia_settings.h"

namespace opsync {

/// What the Glia mapping reads from an instance's settings.
struct GliaMapping {
  MappingTable teams;  ///< canonical team -> "SITE_ID/TEAM_ID" or "TEAM_ID"
  std::string site_id;
  std::string audio_source = "none";
  std::string sip_domain_id;

  static GliaMapping from_settings(const std::string& instance, const GliaSettings& settings);
};

/// name, email, phone, phone_extension, enabled, max_engagement_count, assignments, and (as
/// configured) audio_source, sip_domain_id, sip_extension. Fields the record does not set are
/// absent (the diff turns a field that disappears into a clear).
MapResult map_glia_operator(const CanonicalOperator& op, const GliaMapping& mapping);

/// One operator of a Glia answer (`GET /operators/{id}`, an entry of `GET /operators`) under
/// map()'s field names and forms: name, email, phone, phone_extension, enabled,
/// max_engagement_count, assignments (glia_assignments_set), audio_source, sip_domain_id,
/// sip_extension; a field Glia answers null stays null, a field it does not answer is absent.
/// nullopt when the object has no string "id".
std::optional<VendorRecord> glia_vendor_record(const boost::json::value& op);

/// `assignments` in a form that does not depend on order: one entry per site (entries of one
/// site merged), sites sorted by id, each site's team_ids sorted. A value that is not an array
/// of assignments is returned as it is.
boost::json::value glia_assignments_set(const boost::json::value& assignments);

/// Glia's phone_extension: 1-7 digits plus any number of ',', at most 25 characters.
bool is_glia_phone_extension(std::string_view s);
/// E.164 as Glia validates it: '+', then 2 to 15 digits, the first not 0.
bool is_glia_e164(std::string_view s);

}  // namespace opsync
