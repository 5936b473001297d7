#include "store/state_store.h"

#include <filesystem>

namespace opsync {

StateStore::StateStore(const std::string& directory, StoreOptions options) {
  std::filesystem::create_directories(directory);
  path_ = (std::filesystem::path(directory) / "opsync.db").string();
  db_ = std::make_unique<sqlite::Connection>(path_);
  const std::string full_sync = options.synchronous == "NORMAL" ? "NORMAL" : "FULL";
  schema::configure(*db_, full_sync);
  tx_ = std::make_unique<TransactionControl>(*db_, full_sync);
  schema::migrate(*db_, *tx_, path_);
  // The parts prepare their statements, so they come after the tables exist.
  operators_ = std::make_unique<OperatorRecords>(*db_);
  progress_ = std::make_unique<Progress>(*db_);
  outbox_ = std::make_unique<Outbox>(*db_);
  shadows_ = std::make_unique<Shadows>(*db_);
  dead_letters_ = std::make_unique<DeadLetters>(*db_);
}

StateStore::~StateStore() {
  // Statements first: a connection closes once its statements are finalized.
  dead_letters_.reset();
  shadows_.reset();
  outbox_.reset();
  progress_.reset();
  operators_.reset();
  tx_.reset();
  if (db_) {
    try {
      db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (...) {
    }
  }
}

}  // namespace opsync
