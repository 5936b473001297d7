#include "events/utf8_text.h"

#include <algorithm>
#include <cstdint>

namespace opsync {
namespace {

/// Decodes one code point at `text[i]`; returns its length in bytes, or 0 if malformed.
std::size_t decode_one(std::string_view text, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (text.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

}  // namespace

TextScan scan_text(std::string_view text) {
  TextScan scan;
  std::size_t i = 0;
  while (i < text.size()) {
    // ASCII fast path: most operator data is ASCII.
    const auto b = static_cast<unsigned char>(text[i]);
    char32_t cp = b;
    std::size_t len = 1;
    if (b >= 0x80) {
      len = decode_one(text, i, cp);
      if (len == 0) {
        scan.valid_utf8 = false;
        return scan;
      }
    }
    if (is_control(cp)) scan.has_control = true;
    if (cp != ' ' && cp != '\t') scan.only_whitespace = false;
    ++scan.code_points;
    i += len;
  }
  return scan;
}

std::string excerpt(std::string_view bytes, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(bytes.size(), max_bytes) + 8);
  out.push_back('"');
  std::size_t i = 0;
  while (i < bytes.size() && i < max_bytes) {
    char32_t cp = 0;
    const std::size_t len = decode_one(bytes, i, cp);
    if (len == 0 || is_control(cp) || cp == '"' || cp == '\\') {
      const auto b = static_cast<unsigned char>(bytes[i]);
      if (len != 0 && (cp == '"' || cp == '\\')) {
        out.push_back('\\');
        out.push_back(static_cast<char>(b));
      } else {
        out += "\\x";
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0x0F]);
      }
      ++i;
      continue;
    }
    out.append(bytes.substr(i, len));
    i += len;
  }
  out.push_back('"');
  if (i < bytes.size()) out += "...";
  return out;
}

}  // namespace opsync
