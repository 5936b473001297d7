#pragma once
// The admin API's optional bearer token.

#include <string>
#include <string_view>

namespace opsync::admin {

/// True if `authorization` (the Authorization header's value) is `Bearer <expected>`; the scheme
/// is case-insensitive. The comparison takes the same time wherever the first difference is.
bool bearer_token_matches(std::string_view authorization, std::string_view expected);

/// Compares in time that depends only on `expected.size()`.
bool constant_time_equal(std::string_view given, std::string_view expected);

}  // namespace opsync::admin
