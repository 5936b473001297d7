#pragma once
// Syntax checks and normal forms of the contact and locale attributes. Pure functions on bytes:
// no allocation unless the value is valid, no locale, no I/O.

#include <string>
#include <string_view>

namespace opsync {

/// The normal form of a valid value, or why the value is not valid.
struct FormatResult {
  std::string value;         ///< the normalised value; empty when `problem` is set
  std::string_view problem;  ///< empty when valid; else a short static explanation
  bool ok() const { return problem.empty(); }
};

/// E.164: drops spaces, dashes, dots and parentheses, turns a leading "00" into "+", then
/// requires "+" and 8 to 15 digits, the first not 0. "+1 (555) 123-4567" -> "+15551234567".
FormatResult normalise_phone(std::string_view text);

/// An RFC 5322 addr-spec in dot-atom form (no quoted local parts, no domain literals): one "@",
/// local part of 1..64 atext characters and single dots, a domain of two or more LDH labels with
/// a non-numeric last label; at most 254 bytes. The domain is lowercased, the local part kept.
FormatResult normalise_email(std::string_view text);

/// A `sip:` or `sips:` URI with user@host (RFC 3261 characters, optional :port, then optional
/// ;parameters and ?headers); at most `max_bytes`. The scheme and host are lowercased.
FormatResult normalise_sip_uri(std::string_view text, std::size_t max_bytes);

/// A BCP 47 tag of the form language[-region]: an ISO 639-1 code, then two letters or three
/// digits. Case is normalised and "_" becomes "-": "EN_us" -> "en-US".
FormatResult normalise_locale(std::string_view text);

/// 1 to 7 ASCII digits.
bool is_phone_extension(std::string_view text);

/// A connector instance name: 1 to 64 of [a-z0-9_-].
bool is_connector_name(std::string_view text);

}  // namespace opsync
