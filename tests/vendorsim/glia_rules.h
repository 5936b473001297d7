// Glia's update-operator field rules, kept apart from the routes in glia.cc.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vendorsim/http_util.h"
#include "vendorsim/record_store.h"

namespace opsync::vendorsim::glia {

/// Messages per field, as the 422 body's "errors" object.
using FieldErrors = std::map<std::string, std::vector<std::string>>;

/// True when another operator (id != `self_id`) has `email` (case-insensitive).
bool email_taken(const RecordStore& store, std::string_view email, const json::value& self_id);

/// Checks a create (`existing` null) or update body: types, formats, enums, lengths, email
/// uniqueness, and the dependent fields (phone_extension needs a phone, sip_extension a
/// sip_domain_id, audio_source phone/sip_phone their numbers) judged on the record as it would be
/// after the update.
void validate(const json::object& body, const json::object* existing, const RecordStore& store,
              bool reject_unknown, FieldErrors& errors);

}  // namespace opsync::vendorsim::glia
