#pragma once
// Decodes one Kafka message into a validated OperatorEvent (event contract v1, docs/events.md).

#include <optional>
#include <span>
#include <string_view>

#include "events/decode_error.h"
#include "events/decoder_limits.h"
#include "events/operator_event.h"

namespace opsync {

/// Either a decoded event, or why the message belongs on the dead-letter topic.
struct DecodeOutcome {
  std::optional<OperatorEvent> event;  ///< set exactly when the message is valid
  DecodeError error;                   ///< reason and detail when `event` is empty
  bool ok() const { return event.has_value(); }
};

/// Turns (key, value, headers) into an OperatorEvent: CloudEvents 1.0 in structured mode (the
/// value is the whole event) or binary mode (`ce_` headers carry the attributes, the value is
/// `data`), every canonical attribute validated and normalised.
///
/// Thread-safe (const, no shared state) and exception-free on any input: every problem is a
/// DecodeOutcome with one of the decode_reason codes. Only std::bad_alloc can escape.
class EventDecoder {
 public:
  explicit EventDecoder(DecoderLimits limits = {});

  /// `key` is the Kafka key (the operator id; empty means missing), `value` the message bytes,
  /// `headers` all the message's headers (when a name repeats, the last one counts).
  DecodeOutcome decode(std::string_view key, std::string_view value,
                       std::span<const MessageHeader> headers) const;

  const DecoderLimits& limits() const { return limits_; }

 private:
  DecoderLimits limits_;
};

}  // namespace opsync
