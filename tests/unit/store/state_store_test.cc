#include "store/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/sqlite.h"
#include "support/temp_dir.h"

namespace opsync {
namespace {

using testing::TempDir;

CanonicalOperator make_op(const std::string& id, std::int64_t revision) {
  CanonicalOperator op;
  op.id = id;
  op.revision = revision;
  op.attributes["email"] = "a@example.com";
  op.attributes["teams"] = boost::json::array{"sales", "support"};
  return op;
}

TEST(StateStore, OperatorRoundTripSurvivesReopen) {
  TempDir dir;
  {
    StateStore store(dir.str());
    Transaction tx(store);
    store.operators().save(make_op("emp-1", 3), 1000);
    tx.commit();
  }
  StateStore store(dir.str());
  auto op = store.operators().load("emp-1");
  ASSERT_TRUE(op);
  EXPECT_EQ(op->revision, 3);
  EXPECT_EQ(op->event_time_ms, CanonicalOperator::kNone);
  EXPECT_FALSE(op->deleted);
  EXPECT_EQ(op->attributes.at("teams").as_array().size(), 2u);
  EXPECT_FALSE(store.operators().load("emp-2"));
  EXPECT_EQ(store.operators().count(), 1);
}

TEST(StateStore, UncommittedTransactionLeavesNothing) {
  TempDir dir;
  StateStore store(dir.str());
  {
    Transaction tx(store);
    store.operators().save(make_op("emp-1", 1), 1);
    store.progress().save_offset("ops", 0, 42);
  }
  EXPECT_FALSE(store.in_transaction());
  EXPECT_FALSE(store.operators().load("emp-1"));
  EXPECT_TRUE(store.progress().load_offsets("ops").empty());
}

TEST(StateStore, ProcessedEventsDetectDuplicatesAndPrune) {
  TempDir dir;
  StateStore store(dir.str());
  EXPECT_TRUE(store.operators().mark_event_processed("hr/workday", "e1", 100));
  EXPECT_FALSE(store.operators().mark_event_processed("hr/workday", "e1", 200));
  EXPECT_TRUE(store.operators().mark_event_processed("hr/other", "e1", 200));
  EXPECT_EQ(store.operators().prune_processed_events(150), 1);
  EXPECT_TRUE(store.operators().mark_event_processed("hr/workday", "e1", 300));
}

TEST(StateStore, OutboxCoalescesAndKeepsTheRetrySchedule) {
  TempDir dir;
  StateStore store(dir.str());
  EXPECT_EQ(store.outbox().upsert("glia", "emp-1", 10), 1);
  store.outbox().schedule_retry("glia", "emp-1", 3, 5000, "HTTP 503");
  EXPECT_EQ(store.outbox().upsert("glia", "emp-1", 20), 2);
  EXPECT_EQ(store.outbox().size("glia"), 1);
  auto e = store.outbox().load_entry("glia", "emp-1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->generation, 2);
  EXPECT_EQ(e->attempts, 3);
  EXPECT_EQ(e->next_attempt_ms, 5000);
  EXPECT_EQ(e->last_error, "HTTP 503");

  // Completing an older generation keeps the entry, due now, with a fresh schedule.
  EXPECT_FALSE(store.outbox().complete("glia", "emp-1", 1, 30));
  e = store.outbox().load_entry("glia", "emp-1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->attempts, 0);
  EXPECT_EQ(e->next_attempt_ms, 30);
  EXPECT_TRUE(store.outbox().complete("glia", "emp-1", 2, 40));
  EXPECT_FALSE(store.outbox().load_entry("glia", "emp-1"));
}

TEST(StateStore, OutboxFullResyncFlagIsSticky) {
  TempDir dir;
  StateStore store(dir.str());
  store.outbox().upsert("glia", "emp-1", 10, true);
  store.outbox().upsert("glia", "emp-1", 11, false);
  EXPECT_TRUE(store.outbox().load_entry("glia", "emp-1")->full_resync);
}

// Issue 12 defect 1: completing a push keeps a full push asked for after it started (a resync
// requested while it was in flight); one asked for before it was that push.
TEST(StateStore, OutboxKeepsAResyncAskedForAfterThePushStarted) {
  TempDir dir;
  StateStore store(dir.str());
  const std::int64_t pushed = store.outbox().upsert("glia", "emp-1", 10);  // the push starts
  store.outbox().upsert("glia", "emp-1", 11, /*full_resync=*/true);        // resync meanwhile
  EXPECT_FALSE(store.outbox().complete("glia", "emp-1", pushed, 12));
  auto entry = store.outbox().load_entry("glia", "emp-1");
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->full_resync);
  EXPECT_TRUE(store.outbox().complete("glia", "emp-1", entry->generation, 13));

  const std::int64_t full = store.outbox().upsert("glia", "emp-2", 10, /*full_resync=*/true);
  store.outbox().upsert("glia", "emp-2", 11);  // a later ordinary change
  EXPECT_FALSE(store.outbox().complete("glia", "emp-2", full, 12));
  EXPECT_FALSE(store.outbox().load_entry("glia", "emp-2")->full_resync);
}

TEST(StateStore, OutboxPurgeDropsEveryRowOfOneConnector) {
  TempDir dir;
  StateStore store(dir.str());
  store.outbox().upsert("gone", "emp-1", 10);
  store.outbox().upsert("gone", "emp-2", 10);
  store.outbox().upsert("stays", "emp-1", 10);
  EXPECT_EQ(store.outbox().purge("gone"), 2);
  EXPECT_EQ(store.outbox().size("gone"), 0);
  EXPECT_EQ(store.outbox().size("stays"), 1);
  EXPECT_EQ(store.outbox().purge("gone"), 0);
}

// Issue 12 defect 5: doubts are durable, kept until cleared.
TEST(StateStore, DoubtsSurviveReopenUntilCleared) {
  TempDir dir;
  {
    StateStore store(dir.str());
    store.doubts().mark("glia", "emp-2", 5);
    store.doubts().mark("glia", "emp-2", 6);  // already in doubt: kept
    store.outbox().upsert("glia", "emp-1", 10);
    store.outbox().upsert("other", "emp-3", 10);
    store.doubts().mark_pending("glia", 11);
  }
  StateStore store(dir.str());
  EXPECT_EQ(store.doubts().list("glia"), (std::vector<std::string>{"emp-1", "emp-2"}));
  EXPECT_FALSE(store.doubts().contains("other", "emp-3"));
  store.doubts().clear("glia", "emp-2");
  EXPECT_FALSE(store.doubts().contains("glia", "emp-2"));
  EXPECT_TRUE(store.doubts().contains("glia", "emp-1"));
}

TEST(StateStore, ASchema3FileGetsTheNewTables) {
  TempDir dir;
  {
    StateStore store(dir.str());
    store.outbox().upsert("glia", "emp-1", 10);
  }
  {
    sqlite::Connection db(dir.str() + "/opsync.db");
    db.exec("DROP TABLE push_doubts");
    db.exec("DROP TABLE refusals");
    db.exec("DROP TABLE bulk_resyncs");
    db.exec("DROP TABLE reconcile_targets");
    db.exec("DROP TABLE reconcile_passes");
    db.exec("PRAGMA user_version = 3");
  }
  StateStore store(dir.str());
  {
    sqlite::Connection db(store.path());
    EXPECT_EQ(schema::version(db), StateStore::kSchemaVersion);
  }
  EXPECT_TRUE(store.outbox().load_entry("glia", "emp-1"));
  EXPECT_EQ(store.refusals().count("glia"), 0);
  EXPECT_FALSE(store.bulk_resyncs().load("glia"));
  store.doubts().mark("glia", "emp-1", 1);
  EXPECT_TRUE(store.doubts().contains("glia", "emp-1"));
}

TEST(StateStore, ShadowsMappingsOffsetsCounters) {
  TempDir dir;
  StateStore store(dir.str());
  boost::json::object fields{{"name", "Jane"}, {"active", true}};
  store.shadows().save("plugchat", "emp-1", fields, 1);
  EXPECT_EQ(*store.shadows().load("plugchat", "emp-1"), fields);
  store.shadows().remove("plugchat", "emp-1");
  EXPECT_FALSE(store.shadows().load("plugchat", "emp-1"));

  store.shadows().save_vendor_id("glia", "emp-1", "abc-123");
  EXPECT_EQ(*store.shadows().load_vendor_id("glia", "emp-1"), "abc-123");

  store.progress().save_offset("ops", 2, 10);
  store.progress().save_offset("ops", 2, 11);
  store.progress().save_offset("ops", 0, 5);
  auto offs = store.progress().load_offsets("ops");
  EXPECT_EQ(offs.size(), 2u);
  EXPECT_EQ(offs[2], 11);

  store.progress().add_counter("events_applied", 2);
  store.progress().add_counter("events_applied", 3);
  EXPECT_EQ(store.progress().load_counters()["events_applied"], 5);
}

TEST(StateStore, DeadLettersKeepBytesAndHeadersInOrder) {
  TempDir dir;
  StateStore store(dir.str());
  DeadLetter a;
  a.key = std::string("k\0ey", 4);
  a.value = "\xff\xfe not json";
  a.headers = {{"opsync-dlq-reason", "invalid_json"}, {"ce_id", "x"}};
  store.dead_letters().enqueue(a, 1);
  DeadLetter b;
  b.key = "k2";
  store.dead_letters().enqueue(b, 2);
  auto letters = store.dead_letters().load(10);
  ASSERT_EQ(letters.size(), 2u);
  EXPECT_EQ(letters[0].key, a.key);
  EXPECT_EQ(letters[0].value, a.value);
  ASSERT_EQ(letters[0].headers.size(), 2u);
  EXPECT_EQ(letters[0].headers[0].value, "invalid_json");
  store.dead_letters().remove(letters[0].seq);
  EXPECT_EQ(store.dead_letters().backlog(), 1);
}

// Header values are bytes: one that is not UTF-8 comes back byte-exact, with the others.
TEST(StateStore, DeadLetterHeadersAreBytes) {
  TempDir dir;
  StateStore store(dir.str());
  DeadLetter a;
  a.key = "k";
  const std::string raw("\xff\xfe\x00", 3);
  a.headers = {{"ce_trace", raw}, {"opsync-dlq-reason", "invalid_header"}, {"", ""}};
  store.dead_letters().enqueue(a, 1);
  auto letters = store.dead_letters().load(10);
  ASSERT_EQ(letters.size(), 1u);
  ASSERT_EQ(letters[0].headers.size(), 3u);
  EXPECT_EQ(letters[0].headers[0].name, "ce_trace");
  EXPECT_EQ(letters[0].headers[0].value, raw);
  EXPECT_EQ(letters[0].headers[1].value, "invalid_header");
  EXPECT_EQ(letters[0].headers[2].name, "");
}

// A version-1 file (headers as JSON, no unpublishable or header_bytes column) is migrated
// forward and its dead letters read as before.
TEST(StateStore, DeadLettersOfASchema1FileStayReadable) {
  TempDir dir;
  { StateStore store(dir.str()); }
  {
    sqlite::Connection db(dir.str() + "/opsync.db");
    // Undo every migration after version 1.
    db.exec("DROP TABLE refusals");
    db.exec("DROP TABLE bulk_resyncs");
    db.exec("DROP TABLE push_doubts");
    db.exec("DROP TABLE reconcile_targets");
    db.exec("DROP TABLE reconcile_passes");
    db.exec("ALTER TABLE dead_letters DROP COLUMN header_bytes");
    db.exec("ALTER TABLE dead_letters DROP COLUMN unpublishable");
    db.exec(
        "INSERT INTO dead_letters (key, value, headers, created_ms) VALUES "
        "(X'6B31', X'7631', '[[\"opsync-dlq-reason\",\"invalid_json\"],[\"ce_id\",\"x\"]]', 1)");
    db.exec("PRAGMA user_version = 1");
  }
  StateStore store(dir.str());
  {
    sqlite::Connection db(store.path());
    EXPECT_EQ(schema::version(db), StateStore::kSchemaVersion);
  }
  auto letters = store.dead_letters().load(10);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "k1");
  EXPECT_EQ(letters[0].value, "v1");
  ASSERT_EQ(letters[0].headers.size(), 2u);
  EXPECT_EQ(letters[0].headers[0].value, "invalid_json");
  EXPECT_EQ(letters[0].headers[1].name, "ce_id");
  EXPECT_EQ(store.dead_letters().backlog(), 1);
  EXPECT_EQ(store.dead_letters().unpublishable(), 0);
}

TEST(StateStore, RefusesAFileFromANewerSchema) {
  TempDir dir;
  { StateStore store(dir.str()); }
  {
    sqlite::Connection db(dir.str() + "/opsync.db");
    db.exec("PRAGMA user_version = 99");
  }
  EXPECT_THROW(StateStore store(dir.str()), sqlite::SqliteError);
}

TEST(StateStore, UsesWriteAheadLogging) {
  TempDir dir;
  StateStore store(dir.str());
  sqlite::Connection db(store.path());
  auto s = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "wal");
}

// A second store on a directory another store holds is refused, with a message naming the
// directory and the holder; once the first is closed the directory opens again.
TEST(StateStore, SecondStoreOnTheSameDirectoryIsRefused) {
  TempDir dir;
  auto first = std::make_unique<StateStore>(dir.str());
  try {
    StateStore second(dir.str());
    FAIL() << "a second store opened " << dir.str();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(dir.str()), std::string::npos) << what;
    EXPECT_NE(what.find("another opsyncd"), std::string::npos) << what;
    EXPECT_NE(what.find("pid " + std::to_string(::getpid())), std::string::npos) << what;
  }
  // The first store still works after the refused attempt.
  {
    Transaction tx(*first);
    first->operators().save(make_op("emp-1", 1), 1000);
    tx.commit();
  }
  first.reset();
  StateStore again(dir.str());
  EXPECT_EQ(again.operators().count(), 1);
}

// The database, its WAL and shared-memory files and the lock file are readable by their owner
// only, whatever the umask.
TEST(StateStore, FilesAreCreatedOwnerOnly) {
  TempDir dir;
  const mode_t old_mask = ::umask(022);
  {
    StateStore store(dir.str());
    Transaction tx(store);
    store.operators().save(make_op("emp-1", 1), 1000);
    tx.commit();
    for (const char* name : {"opsync.db", "opsync.db-wal", "opsync.db-shm", "opsync.lock"}) {
      const auto file = dir.path() / name;
      struct stat st {};
      ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    }
  }
  ::umask(old_mask);
}

}  // namespace
}  // namespace opsync
