#include "store/state_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace opsync {
namespace {

/// Creates the database file 0600 before SQLite opens it: SQLite gives the WAL and shared-memory
/// files the database file's permissions. Files left by an older opsync are made 0600 too.
void restrict_permissions(const std::string& db_path) {
  const int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + db_path);
  const int rc = ::fchmod(fd, 0600);
  const int error = errno;
  ::close(fd);
  if (rc != 0) throw std::system_error(error, std::generic_category(), "cannot chmod " + db_path);
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = db_path + suffix;
    if (::chmod(side.c_str(), 0600) != 0 && errno != ENOENT) {
      throw std::system_error(errno, std::generic_category(), "cannot chmod " + side);
    }
  }
}

}  // namespace

StateStore::StateStore(const std::string& directory, StoreOptions options) {
  std::filesystem::create_directories(directory);
  lock_ = std::make_unique<DirectoryLock>(directory);
  path_ = (std::filesystem::path(directory) / "opsync.db").string();
  restrict_permissions(path_);
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
  doubts_ = std::make_unique<Doubts>(*db_);
  dead_letters_ = std::make_unique<DeadLetters>(*db_);
  refusals_ = std::make_unique<Refusals>(*db_);
  bulk_resyncs_ = std::make_unique<BulkResyncs>(*db_);
  reconcile_passes_ = std::make_unique<ReconcilePasses>(*db_);
}

StateStore::~StateStore() {
  // Statements first: a connection closes once its statements are finalized.
  bulk_resyncs_.reset();
  refusals_.reset();
  reconcile_passes_.reset();
  dead_letters_.reset();
  doubts_.reset();
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
