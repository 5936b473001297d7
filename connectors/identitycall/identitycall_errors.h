#pragma once
// How the IdentityCall connector reads IdentityCall's error answers.

#include <string>
#include <string_view>

namespace opsync {

/// The message of an IdentityCall error answer: `{"error": "..."}` gives its text,
/// `{"errors": ["A", "B"]}` gives "A; B"; other bodies are returned cut.
std::string identitycall_error_message(unsigned status, std::string_view body);

}  // namespace opsync
