#pragma once
// Size limits the decoder enforces. The defaults are the limits of event contract v1; lowering
// them is safe, raising the text and list limits lets through events other instances reject.

#include <cstddef>

namespace opsync {

struct DecoderLimits {
  /// Kafka message value, checked before parsing (`too_large`).
  std::size_t max_message_bytes = 1 << 20;
  /// Nesting of JSON arrays and objects; the contract needs 4 (`invalid_json` beyond).
  std::size_t max_json_depth = 16;
  /// `id`, `source`, `subject` and `data.operator_id`, in UTF-8 characters (`too_long`).
  std::size_t max_id_chars = 255;
  /// Names, `external_ids` values and `sip_uri`, in UTF-8 characters (`too_long`).
  std::size_t max_text_chars = 255;
  /// One entry of `teams`, in UTF-8 characters (`too_long`).
  std::size_t max_team_chars = 100;
  /// Items of `teams` and `languages`, entries of `external_ids` (`too_long`).
  std::size_t max_list_items = 100;
};

}  // namespace opsync
