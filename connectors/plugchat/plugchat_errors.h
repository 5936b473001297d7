#pragma once
// How the Plug Chat connector reads Plug Chat's error answers.

#include <string>
#include <string_view>

namespace opsync {

/// The vendor's own words for a failed call: `message` (plus further `errors`) of Plug Chat's
/// `{"success": false, "message": ...}` shape, else the seed's meaning of 405/415/404. Never
/// returns an `accessToken`.
std::string plugchat_error_message(unsigned status, std::string_view body);

}  // namespace opsync
