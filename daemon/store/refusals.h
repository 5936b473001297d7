#pragma once
// The (connector, operator) pairs whose last push the vendor refused for good (or that could not
// be mapped): one row per pair with the reason and the vendor's own words, kept until a later
// push for the pair is accepted. The dead-letter topic holds the full record of each refusal;
// this is the list an operator on call asks for ("what is wrong at Glia now?", GET /dead-letters)
// and re-queues after fixing the cause (POST /dead-letters/retry).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace opsync {

struct Refusal {
  std::string connector;
  std::string operator_id;
  std::int64_t at_ms = 0;
  std::string reason;   ///< vendor_rejected, mapping_failed, ...
  unsigned status = 0;  ///< the vendor's HTTP status; 0 if none (mapping)
  std::string message;  ///< the vendor's words (redacted) or the mapping error
};

class Refusals {
 public:
  explicit Refusals(sqlite::Connection& db);
  Refusals(const Refusals&) = delete;
  Refusals& operator=(const Refusals&) = delete;

  /// Records (or replaces) the pair's refusal.
  void save(const Refusal& refusal);
  /// The pair's push was accepted: it is no longer refused.
  void remove(const std::string& connector, const std::string& operator_id);
  /// Forgets every refusal of `connector` (the connector left the configuration).
  std::int64_t remove_connector(const std::string& connector);
  /// The connector's refusals by operator id, from the first id after `after`, at most `limit`.
  std::vector<Refusal> list(const std::string& connector, const std::string& after,
                            std::size_t limit);
  std::int64_t count(const std::string& connector);

 private:
  sqlite::Statement save_, remove_, remove_connector_, list_, count_;
};

}  // namespace opsync
