// Transaction: the scope that commits explicitly and rolls back otherwise.

#include "store/transaction.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "store/state_store.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::TempDir;

CanonicalOperator make_op(const std::string& id, std::int64_t revision) {
  CanonicalOperator op;
  op.id = id;
  op.revision = revision;
  op.attributes["email"] = id + "@example.com";
  return op;
}

// Everything the store holds for the keys these tests use, as text.
std::string snapshot(StateStore& store) {
  std::string out;
  store.operators().for_each([&](const CanonicalOperator& op) {
    out += "op " + op.id + " r" + std::to_string(op.revision) + " " +
           boost::json::serialize(op.attributes) + "\n";
  });
  for (const auto& e : store.outbox().load("glia")) {
    out += "outbox " + e.operator_id + " g" + std::to_string(e.generation) + " a" +
           std::to_string(e.attempts) + " " + e.last_error + "\n";
  }
  for (const auto& d : store.dead_letters().load(100)) {
    out += "dlq " + std::to_string(d.seq) + " " + d.key + " " + d.value + "\n";
  }
  for (const char* id : {"emp-1", "emp-2"}) {
    if (auto s = store.shadows().load("glia", id))
      out += "shadow " + boost::json::serialize(*s) + "\n";
    if (auto v = store.shadows().load_vendor_id("glia", id)) out += "vendor " + *v + "\n";
  }
  for (const auto& [name, value] : store.progress().load_counters()) {
    out += "counter " + name + " " + std::to_string(value) + "\n";
  }
  for (const auto& [partition, next] : store.progress().load_offsets("ops")) {
    out += "offset " + std::to_string(partition) + " " + std::to_string(next) + "\n";
  }
  return out;
}

// A change that writes to every part of the store, then fails half way.
void write_everything_then_fail(StateStore& store) {
  Transaction tx(store);
  store.operators().save(make_op("emp-1", 2), 20);
  store.operators().save(make_op("emp-2", 1), 20);
  store.outbox().upsert("glia", "emp-1", 20);
  store.outbox().upsert("glia", "emp-2", 20);
  store.dead_letters().enqueue({0, "k2", "v2", {}}, 20);
  store.shadows().save("glia", "emp-1", {{"email", "changed"}}, 20);
  store.shadows().save_vendor_id("glia", "emp-2", "g-2");
  store.progress().add_counter("events_applied", 2);
  store.progress().save_offset("ops", 0, 9);
  throw std::runtime_error("half way");
  store.outbox().schedule_retry("glia", "emp-1", 1, 99, "never");  // not reached
  tx.commit();
}

TEST(Transaction, AnExceptionHalfWayLeavesTheStoreAsItWas) {
  TempDir dir;
  std::string before, after;
  {
    StateStore store(dir.str());
    {
      Transaction tx(store);
      store.operators().save(make_op("emp-1", 1), 10);
      store.outbox().upsert("glia", "emp-1", 10);
      store.dead_letters().enqueue({0, "k1", "v1", {{"h", "x"}}}, 10);
      store.shadows().save("glia", "emp-1", {{"email", "emp-1@example.com"}}, 10);
      store.progress().add_counter("events_applied", 1);
      store.progress().save_offset("ops", 0, 5);
      tx.commit();
    }
    before = snapshot(store);
    EXPECT_THROW(write_everything_then_fail(store), std::runtime_error);
    EXPECT_FALSE(store.in_transaction());
    EXPECT_EQ(snapshot(store), before);

    // Still usable: the next transaction begins and commits.
    Transaction tx(store);
    store.progress().add_counter("after", 1);
    tx.commit();
    after = snapshot(store);
    EXPECT_NE(after.find("counter after 1\n"), std::string::npos);
  }
  // Nothing of the failed transaction reached the file either.
  StateStore reopened(dir.str());
  EXPECT_EQ(snapshot(reopened), after);
}

TEST(Transaction, CommitMakesTheChangesDurable) {
  TempDir dir;
  {
    StateStore store(dir.str());
    Transaction tx(store, Durability::relaxed);
    store.operators().save(make_op("emp-1", 1), 10);
    tx.commit();
    EXPECT_FALSE(store.in_transaction());
  }
  StateStore store(dir.str());
  EXPECT_EQ(store.operators().count(), 1);
}

TEST(Transaction, AreNotNested) {
  TempDir dir;
  StateStore store(dir.str());
  Transaction outer(store);
  EXPECT_TRUE(store.in_transaction());
  EXPECT_THROW(Transaction inner(store), sqlite::SqliteError);
  // The refused one did not end the open one.
  EXPECT_TRUE(store.in_transaction());
  store.operators().save(make_op("emp-1", 1), 10);
  outer.commit();
  EXPECT_EQ(store.operators().count(), 1);
}

TEST(Transaction, EndingWithoutCommitRollsBack) {
  TempDir dir;
  StateStore store(dir.str());
  {
    Transaction tx(store);
    store.operators().save(make_op("emp-1", 1), 10);
    EXPECT_EQ(store.operators().count(), 1);
  }
  EXPECT_EQ(store.operators().count(), 0);
}

}  // namespace
}  // namespace opsync
