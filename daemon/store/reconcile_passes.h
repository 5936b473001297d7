#pragma once
// Reconcile passes (daemon/dispatch/reconcile_pass.h): per connector instance, the running or
// last passes with their cursor and counts, and each pass's targets (the operators opsync mapped
// to that vendor when the pass began, and whether the vendor's list has shown each one yet).
//
// What a caller may rely on:
// - A pass is `running` until finish() marks it `finished` or `failed`; a process that stops
//   mid-pass leaves it `running` with the cursor of the last page it committed, so the next
//   start resumes it there. Only a finished pass counts as a success (last_success_ms()).
// - The targets of a pass are dropped when it ends.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.h"

namespace opsync {

enum class PassState { running, finished, failed };

std::string_view to_string(PassState state);

/// What one pass found so far.
struct ReconcileCounts {
  std::int64_t read = 0;               ///< vendor records read (list rows or single reads)
  std::int64_t in_step = 0;            ///< mapped operators whose compared fields all agree
  std::int64_t drifted_operators = 0;  ///< mapped operators with at least one differing field
  std::map<std::string, std::int64_t> drifted;  ///< differing fields, by field name
  std::int64_t missing_at_vendor = 0;           ///< mapped ids the vendor no longer has
  std::int64_t unknown_at_vendor = 0;           ///< vendor records opsync maps to no operator
  std::vector<std::string> unknown_ids;         ///< the first of them (bounded, see ReconcilePass)
  std::int64_t repairs_queued = 0;              ///< outbox rows added or bumped by the pass
  std::int64_t not_compared = 0;  ///< mapped but not comparable (deleted, unmappable, no record)

  bool operator==(const ReconcileCounts&) const = default;
};

struct ReconcilePassRow {
  std::int64_t id = 0;
  std::string connector;
  PassState state = PassState::running;
  std::string trigger;  ///< "periodic" or "admin"
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;  ///< 0 while running
  /// "list" (paging the vendor's list call) or "read" (one read per mapped id).
  std::string mode = "list";
  /// list: the page to read next (nullopt: the first). read: the last operator id done.
  std::optional<std::string> cursor;
  /// list: every page has been read; what is left is to check the targets it did not show.
  bool list_done = false;
  ReconcileCounts counts;
  std::string error;  ///< failed: why
};

/// One target of a pass: an operator mapped to a vendor id when the pass began.
struct ReconcileTarget {
  std::string operator_id;
  std::string vendor_id;
};

class ReconcilePasses {
 public:
  explicit ReconcilePasses(sqlite::Connection& db);
  ReconcilePasses(const ReconcilePasses&) = delete;
  ReconcilePasses& operator=(const ReconcilePasses&) = delete;

  /// Starts a pass (state running, mode list, no cursor) whose targets are the connector's
  /// current id mappings, and drops all but the last `keep` passes of the connector. Returns it.
  ReconcilePassRow begin(const std::string& connector, const std::string& trigger,
                         std::int64_t started_ms, std::size_t keep = 20);
  /// Stores mode, cursor, list_done and counts of a running pass.
  void save_progress(const ReconcilePassRow& pass);
  /// Ends a pass as finished or failed (with `error`), with its final counts; drops its targets.
  void finish(ReconcilePassRow& pass, PassState state, std::int64_t finished_ms,
              std::string error = {});

  /// The connector's most recent pass (running or not).
  std::optional<ReconcilePassRow> latest(const std::string& connector);
  /// When the connector's last finished pass finished (ms); nullopt if none ever did.
  std::optional<std::int64_t> last_success_ms(const std::string& connector);

  /// The vendor's list showed `vendor_id` in pass `pass_id`.
  void mark_seen(std::int64_t pass_id, const std::string& vendor_id);
  /// Targets of pass `pass_id` with operator id after `after` (all if empty), in operator id
  /// order, at most `limit`. `unseen_only`: those the list did not show.
  std::vector<ReconcileTarget> targets(std::int64_t pass_id, const std::string& after,
                                       std::size_t limit, bool unseen_only);

 private:
  ReconcilePassRow row(sqlite::Statement& s) const;

  sqlite::Connection& db_;
  sqlite::Statement insert_, snapshot_, prune_, prune_targets_, save_, finish_, drop_targets_,
      latest_, last_success_, mark_seen_, targets_, unseen_targets_;
};

}  // namespace opsync
