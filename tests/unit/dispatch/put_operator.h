#pragma once
// What the ingest path does, for dispatcher tests: change a canonical record and queue its push
// in one transaction.

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/state_store.h"

namespace opsync::test {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Saves operator `id` with `attributes` (JSON) and, unless `connector` is empty, upserts its
/// outbox row for `connector`.
inline void put_operator(StateStore& store, const std::string& id, std::string_view attributes,
                         const std::string& connector) {
  CanonicalOperator op;
  op.id = id;
  op.attributes = boost::json::parse(attributes).as_object();
  Transaction tx(store);
  store.operators().save(op, now_ms());
  if (!connector.empty()) store.outbox().upsert(connector, id, now_ms());
  tx.commit();
}

}  // namespace opsync::test
