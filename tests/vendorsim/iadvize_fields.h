// iAdvize REST v2 request bodies: decoding (form-encoded or JSON) and field rules.
// Source: seeds/003 (operator fields, live availability) and vendors.md "iAdvize".
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vendorsim/http_util.h"

namespace opsync::vendorsim::iadvize {

/// The body as one object with bracket keys expanded. The seed's `chat[available]` names are
/// form-encoding names, so application/x-www-form-urlencoded is accepted; JSON is accepted too,
/// both nested ({"chat":{"available":1}}) and flat ({"chat[available]":1}). An empty body is {}.
/// Returns std::nullopt with `error` set for other media types or malformed JSON.
std::optional<json::object> decode_body(const HttpRequest& req, std::string& error);

/// Checks operator fields for create or update and puts the typed values into `changes`
/// (form strings become booleans, integers and lists). Returns the problems found.
std::vector<std::string> operator_changes(const json::object& body, bool reject_unknown,
                                          json::object& changes);

/// Checks a PUT /operator/{id}/live body: chat[available], call[available], video[available]
/// as 1/0 and connected as 0. Fills `changes` with {"chat": bool, ..., "connected": false}.
std::vector<std::string> live_changes(const json::object& body, bool reject_unknown,
                                      json::object& changes);

}  // namespace opsync::vendorsim::iadvize
