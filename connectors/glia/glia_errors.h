#pragma once
// How the Glia connector reads Glia's error answers.

#include <string>
#include <string_view>

namespace opsync {

/// The message of a Glia error answer: `{"error", "message", "errors": {field: [..]}}` becomes
/// "Validation failed: phone_extension is valid only if ..."; other bodies are returned cut.
std::string glia_error_message(unsigned status, std::string_view body);

}  // namespace opsync
