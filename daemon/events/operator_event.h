#pragma once
// A decoded and validated operator-change event (event contract v1, design brief).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsync {

enum class EventType { created, updated, deleted };
enum class EventMode { patch, snapshot };

/// The CloudEvents `type`: "operator.created", "operator.updated" or "operator.deleted".
constexpr std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::created:
      return "operator.created";
    case EventType::updated:
      return "operator.updated";
    case EventType::deleted:
      return "operator.deleted";
  }
  return "operator.unknown";
}

/// The `data.mode` spelling: "patch" or "snapshot".
constexpr std::string_view to_string(EventMode mode) {
  return mode == EventMode::snapshot ? "snapshot" : "patch";
}

struct OperatorEvent {
  std::string event_id;  ///< CloudEvents `id`
  std::string source;    ///< CloudEvents `source`
  EventType type = EventType::updated;
  EventMode mode = EventMode::patch;
  std::string operator_id;
  std::optional<std::int64_t> revision;
  std::optional<std::int64_t> time_ms;  ///< CloudEvents `time`, ms since the Unix epoch
  /// Validated, normalised canonical attributes. In patch mode a JSON null value means "clear
  /// this attribute"; in snapshot mode nulls have been removed.
  boost::json::object attributes;
};

/// One Kafka message header, as bytes.
struct MessageHeader {
  std::string name;
  std::string value;
};

}  // namespace opsync
