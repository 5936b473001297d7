#pragma once
// How the CommPeak connector reads CommPeak's error answers.

#include <string>
#include <string_view>

namespace opsync {

/// The vendor's words for a failed call. CommPeak documents no error body: `message` (with the
/// field problems of `errors`), else `error`, else the body itself.
std::string commpeak_error_message(unsigned status, std::string_view body);

}  // namespace opsync
