#include "store/reconcile_passes.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "store/json_column.h"

namespace opsync {

namespace json = boost::json;

std::string_view to_string(PassState state) {
  switch (state) {
    case PassState::running:
      return "running";
    case PassState::finished:
      return "finished";
    case PassState::failed:
      return "failed";
  }
  return "unknown";
}

namespace {

constexpr const char* kColumns =
    "id, connector, state, trigger, started_ms, finished_ms, mode, cursor, list_done, counts, "
    "error";

PassState state_from(std::string_view s) {
  if (s == "finished") return PassState::finished;
  if (s == "failed") return PassState::failed;
  return PassState::running;
}

std::int64_t int_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string counts_to_json(const ReconcileCounts& c) {
  json::object drifted;
  for (const auto& [field, n] : c.drifted) drifted[field] = n;
  json::array unknown;
  for (const auto& id : c.unknown_ids) unknown.emplace_back(id);
  return json::serialize(json::object{{"read", c.read},
                                      {"in_step", c.in_step},
                                      {"drifted_operators", c.drifted_operators},
                                      {"drifted", std::move(drifted)},
                                      {"missing_at_vendor", c.missing_at_vendor},
                                      {"unknown_at_vendor", c.unknown_at_vendor},
                                      {"unknown_ids", std::move(unknown)},
                                      {"repairs_queued", c.repairs_queued},
                                      {"not_compared", c.not_compared}});
}

ReconcileCounts counts_from_json(std::string_view text) {
  const json::object o = store_json::parse_object(text);
  ReconcileCounts c;
  c.read = int_of(o, "read");
  c.in_step = int_of(o, "in_step");
  c.drifted_operators = int_of(o, "drifted_operators");
  if (const auto* d = o.if_contains("drifted"); d && d->is_object()) {
    for (const auto& [field, n] : d->as_object()) {
      if (n.is_int64()) c.drifted[std::string(field)] = n.as_int64();
    }
  }
  c.missing_at_vendor = int_of(o, "missing_at_vendor");
  c.unknown_at_vendor = int_of(o, "unknown_at_vendor");
  if (const auto* u = o.if_contains("unknown_ids"); u && u->is_array()) {
    for (const auto& id : u->as_array()) {
      if (id.is_string()) c.unknown_ids.emplace_back(id.as_string());
    }
  }
  c.repairs_queued = int_of(o, "repairs_queued");
  c.not_compared = int_of(o, "not_compared");
  return c;
}

}  // namespace

ReconcilePasses::ReconcilePasses(sqlite::Connection& db)
    : db_(db),
      insert_(db.prepare(
          "INSERT INTO reconcile_passes (connector, state, trigger, started_ms, finished_ms, mode, "
          "cursor, list_done, counts, error) VALUES (?1, 'running', ?2, ?3, 0, 'list', NULL, 0, "
          "?4, '')")),
      snapshot_(
          db.prepare("INSERT INTO reconcile_targets (pass_id, operator_id, vendor_id, seen) "
                     "SELECT ?1, operator_id, vendor_id, 0 FROM id_mappings WHERE connector = ?2")),
      prune_(db.prepare(
          "DELETE FROM reconcile_passes WHERE connector = ?1 AND id NOT IN (SELECT id FROM "
          "reconcile_passes WHERE connector = ?1 ORDER BY id DESC LIMIT ?2)")),
      prune_targets_(db.prepare("DELETE FROM reconcile_targets WHERE pass_id NOT IN (SELECT id "
                                "FROM reconcile_passes WHERE state = 'running')")),
      save_(db.prepare("UPDATE reconcile_passes SET mode = ?2, cursor = ?3, list_done = ?4, "
                       "counts = ?5 WHERE id = ?1")),
      finish_(db.prepare("UPDATE reconcile_passes SET state = ?2, finished_ms = ?3, counts = ?4, "
                         "error = ?5, cursor = NULL WHERE id = ?1")),
      drop_targets_(db.prepare("DELETE FROM reconcile_targets WHERE pass_id = ?1")),
      latest_(db.prepare(std::string("SELECT ") + kColumns +
                         " FROM reconcile_passes WHERE connector = ?1 ORDER BY id DESC LIMIT 1")),
      last_success_(db.prepare("SELECT MAX(finished_ms) FROM reconcile_passes WHERE connector = "
                               "?1 AND state = 'finished'")),
      mark_seen_(db.prepare(
          "UPDATE reconcile_targets SET seen = 1 WHERE pass_id = ?1 AND vendor_id = ?2")),
      targets_(db.prepare("SELECT operator_id, vendor_id FROM reconcile_targets WHERE pass_id = "
                          "?1 AND operator_id > ?2 ORDER BY operator_id LIMIT ?3")),
      unseen_targets_(
          db.prepare("SELECT operator_id, vendor_id FROM reconcile_targets WHERE pass_id = ?1 AND "
                     "operator_id > ?2 AND seen = 0 ORDER BY operator_id LIMIT ?3")) {}

ReconcilePassRow ReconcilePasses::begin(const std::string& connector, const std::string& trigger,
                                        std::int64_t started_ms, std::size_t keep) {
  ReconcilePassRow pass;
  pass.connector = connector;
  pass.trigger = trigger;
  pass.started_ms = started_ms;
  insert_.bind(1, connector)
      .bind(2, trigger)
      .bind(3, started_ms)
      .bind(4, counts_to_json(pass.counts))
      .run();
  auto last = db_.prepare("SELECT last_insert_rowid()");
  last.step();
  pass.id = last.column_int(0);
  snapshot_.bind(1, pass.id).bind(2, connector).run();
  prune_.bind(1, connector).bind(2, static_cast<std::int64_t>(keep)).run();
  prune_targets_.run();
  return pass;
}

void ReconcilePasses::save_progress(const ReconcilePassRow& pass) {
  save_.bind(1, pass.id)
      .bind(2, pass.mode)
      .bind_optional(3, pass.cursor)
      .bind(4, std::int64_t{pass.list_done ? 1 : 0})
      .bind(5, counts_to_json(pass.counts))
      .run();
}

void ReconcilePasses::finish(ReconcilePassRow& pass, PassState state, std::int64_t finished_ms,
                             std::string error) {
  pass.state = state;
  pass.finished_ms = finished_ms;
  pass.error = std::move(error);
  pass.cursor.reset();
  finish_.bind(1, pass.id)
      .bind(2, to_string(state))
      .bind(3, finished_ms)
      .bind(4, counts_to_json(pass.counts))
      .bind(5, pass.error)
      .run();
  drop_targets_.bind(1, pass.id).run();
}

ReconcilePassRow ReconcilePasses::row(sqlite::Statement& s) const {
  ReconcilePassRow r;
  r.id = s.column_int(0);
  r.connector = s.column_text(1);
  r.state = state_from(s.column_view(2));
  r.trigger = s.column_text(3);
  r.started_ms = s.column_int(4);
  r.finished_ms = s.column_int(5);
  r.mode = s.column_text(6);
  if (!s.column_is_null(7)) r.cursor = s.column_text(7);
  r.list_done = s.column_int(8) != 0;
  r.counts = counts_from_json(s.column_view(9));
  r.error = s.column_text(10);
  return r;
}

std::optional<ReconcilePassRow> ReconcilePasses::latest(const std::string& connector) {
  auto& s = latest_;
  s.bind(1, connector);
  std::optional<ReconcilePassRow> out;
  if (s.step()) out = row(s);
  s.reset();
  return out;
}

std::optional<std::int64_t> ReconcilePasses::last_success_ms(const std::string& connector) {
  auto& s = last_success_;
  s.bind(1, connector);
  std::optional<std::int64_t> out;
  if (s.step() && !s.column_is_null(0)) out = s.column_int(0);
  s.reset();
  return out;
}

void ReconcilePasses::mark_seen(std::int64_t pass_id, const std::string& vendor_id) {
  mark_seen_.bind(1, pass_id).bind(2, vendor_id).run();
}

std::vector<ReconcileTarget> ReconcilePasses::targets(std::int64_t pass_id,
                                                      const std::string& after, std::size_t limit,
                                                      bool unseen_only) {
  auto& s = unseen_only ? unseen_targets_ : targets_;
  s.bind(1, pass_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
  std::vector<ReconcileTarget> out;
  while (s.step()) out.push_back({s.column_text(0), s.column_text(1)});
  s.reset();
  return out;
}

}  // namespace opsync
