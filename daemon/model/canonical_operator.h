#pragma once
// The canonical operator record: one per operator id, the result of folding every applied event.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

namespace opsync {

/// The canonical attribute names of the event contract (design brief, "Canonical attributes").
/// `attributes` of a CanonicalOperator holds only these keys, each already validated and
/// normalised by the event decoder (phone in E.164, lists of strings, and so on). A key that is
/// absent means "not set"; a record never stores JSON null.
struct CanonicalOperator {
  std::string id;
  static constexpr std::int64_t kNone = -1;
  /// Highest `revision` applied so far; kNone when no applied event carried one.
  std::int64_t revision = kNone;
  /// Latest `time` (ms since the Unix epoch) of an applied event that carried one; kNone if none.
  std::int64_t event_time_ms = kNone;
  /// True after an `operator.deleted` event; attributes are kept so connectors can deactivate.
  bool deleted = false;
  boost::json::object attributes;
};

}  // namespace opsync
