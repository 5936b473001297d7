#pragma once
// The state an uninterrupted run reaches: the same messages applied in-process, in order, to a
// store of its own. Tests compare a daemon's store against it.

#include <boost/json/serialize.hpp>
#include <map>
#include <string>
#include <vector>

#include "events/event_decoder.h"
#include "ingest/ingest_batch.h"
#include "reconcile/reconciler.h"
#include "samples/sample_events.h"
#include "store/sqlite.h"
#include "store/state_store.h"

namespace opsync::testing {

inline void apply_reference(StateStore& store, const std::vector<SampleMessage>& messages,
                            const std::string& topic) {
  EventDecoder decoder{DecoderLimits{}};
  Reconciler reconciler(store, {});
  IngestBatch batch(store, decoder, reconciler);
  std::vector<ConsumedMessage> all;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    ConsumedMessage c;
    c.topic = topic;
    c.offset = static_cast<std::int64_t>(i);
    c.key = messages[i].key;
    c.has_key = true;
    c.value = messages[i].value;
    c.headers = messages[i].headers;
    all.push_back(std::move(c));
  }
  batch.apply(all, 0);
}

/// Every canonical record as "revision|deleted|attributes", by operator id.
inline std::map<std::string, std::string> dump_operators(StateStore& store) {
  std::map<std::string, std::string> out;
  store.operators().for_each([&](const CanonicalOperator& op) {
    out[op.id] = std::to_string(op.revision) + "|" + std::to_string(op.deleted) + "|" +
                 boost::json::serialize(op.attributes);
  });
  return out;
}

/// Sum of the next offsets recorded in a store file (0 if it does not exist yet).
inline std::int64_t consumed_offsets(const std::string& db_path) {
  try {
    sqlite::Connection db(db_path);
    auto s = db.prepare("SELECT coalesce(sum(next_offset), 0) FROM offsets");
    return s.step() ? s.column_int(0) : 0;
  } catch (const sqlite::SqliteError&) {
    return 0;
  }
}

/// Dead letters stored but not yet acknowledged by the broker (-1 if the store is unreadable).
inline std::int64_t dead_letter_backlog(const std::string& db_path) {
  try {
    sqlite::Connection db(db_path);
    auto s = db.prepare("SELECT count(*) FROM dead_letters");
    return s.step() ? s.column_int(0) : 0;
  } catch (const sqlite::SqliteError&) {
    return -1;
  }
}

inline constexpr const char* kEventCounters[] = {"events_consumed",  "events_applied",
                                                 "events_unchanged", "events_stale",
                                                 "events_duplicate", "events_invalid"};

}  // namespace opsync::testing
