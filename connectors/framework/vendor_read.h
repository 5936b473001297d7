#pragma once
// The pieces every connector's read side (Connector::list_operators, read_operator, in_step)
// shares: the ReadResult of a failed call, and sets compared without their order.

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "framework/connector.h"

namespace opsync {

/// The ReadResult of a read call that did not succeed: `failure` classified (outcome retry or
/// permanent); a 404 or 405 the vendor answers for a *list* call means it has no such call
/// (`unsupported`) when `refusal_is_unsupported`.
ReadResult failed_read(PushResult failure, bool refusal_is_unsupported = false);

/// A read of one id that the vendor answered 404: not_found (the id is gone or out of scope).
ReadResult not_found_read(PushResult answer);

/// A read of one id that the vendor answered with success: the record, or, when the answer held
/// none (`record` nullopt), a permanent failure whose message is `malformed` ("Glia operator 7:
/// the answer is not an operator").
ReadResult one_record_read(std::optional<VendorRecord> record, PushResult answer,
                           std::string malformed);

/// `items` sorted (strings by their text, other values by their JSON text) and without
/// duplicates: the form a VendorRecord holds a set in.
boost::json::array sorted_set(const boost::json::array& items);

/// Whether `a` and `b` are arrays holding the same set of values (order and repeats ignored);
/// false when either is not an array.
bool same_set(const boost::json::value& a, const boost::json::value& b);

/// A phone number in E.164 form: `s` without the spaces, dots, dashes and parentheses people
/// write between digits ("+1 (555) 123-4567" -> "+15551234567"); `s` as it is when it holds
/// anything else.
std::string e164_form(std::string_view s);

/// The ASCII lower-case form of `s` (e-mail addresses compare without case).
std::string ascii_lower(std::string_view s);

/// Whether `a` and `b` are strings equal without ASCII case.
bool iequal_strings(const boost::json::value& a, const boost::json::value& b);

/// Whether an e-mail field is in step: equal without ASCII case, or equal (both null, say).
bool same_email(const boost::json::value& vendor, const boost::json::value& desired);

}  // namespace opsync
