#pragma once
// Why an event was rejected: a stable reason code (the dead-letter header `opsync-dlq-reason`,
// a metric label) and a human detail naming the field.

#include <string>
#include <string_view>

namespace opsync {

/// The reason codes the decoder emits. Stable: dashboards and dead-letter consumers match them.
namespace decode_reason {
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kInvalidJson = "invalid_json";
inline constexpr std::string_view kDuplicateKey = "duplicate_key";
inline constexpr std::string_view kMissingKey = "missing_key";
inline constexpr std::string_view kKeyMismatch = "key_mismatch";
inline constexpr std::string_view kMissingId = "missing_id";
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kUnknownField = "unknown_field";
inline constexpr std::string_view kInvalidField = "invalid_field";
inline constexpr std::string_view kUnsupportedSpecversion = "unsupported_specversion";
inline constexpr std::string_view kUnsupportedContentType = "unsupported_content_type";
inline constexpr std::string_view kUnknownType = "unknown_type";
inline constexpr std::string_view kInvalidTime = "invalid_time";
inline constexpr std::string_view kWrongType = "wrong_type";
inline constexpr std::string_view kInvalidEnum = "invalid_enum";
inline constexpr std::string_view kTooLong = "too_long";
inline constexpr std::string_view kUnknownAttribute = "unknown_attribute";
inline constexpr std::string_view kInvalidAttribute = "invalid_attribute";
inline constexpr std::string_view kInvalidEmail = "invalid_email";
inline constexpr std::string_view kInvalidPhone = "invalid_phone";
inline constexpr std::string_view kInvalidTimezone = "invalid_timezone";
inline constexpr std::string_view kInvalidLanguage = "invalid_language";
inline constexpr std::string_view kInvalidLocale = "invalid_locale";
}  // namespace decode_reason

struct DecodeError {
  std::string reason;  ///< one of decode_reason; empty when there is no error
  std::string detail;  ///< "data.attributes.phone: ...": names the field; values are excerpts
};

}  // namespace opsync
