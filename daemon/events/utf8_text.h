#pragma once
// UTF-8 checks for text fields, and safe excerpts of untrusted bytes for error details.

#include <cstddef>
#include <string>
#include <string_view>

namespace opsync {

/// What a single pass over a byte string found.
struct TextScan {
  bool valid_utf8 = true;       ///< well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF)
  bool has_control = false;     ///< any C0 (U+0000..U+001F), DEL or C1 (U+0080..U+009F)
  bool only_whitespace = true;  ///< every code point is ASCII space or tab (true when empty)
  std::size_t code_points = 0;  ///< counted up to the first invalid byte
};

/// Scans `text` once. Never reads past its end.
TextScan scan_text(std::string_view text);

/// A short, quoted, printable rendering of untrusted bytes for a DecodeError detail: at most
/// about `max_bytes` of input, control and invalid bytes escaped as \xNN, "..." when cut.
std::string excerpt(std::string_view bytes, std::size_t max_bytes = 40);

}  // namespace opsync
