#include "store/transaction.h"

#include "store/state_store.h"

namespace opsync {

TransactionControl::TransactionControl(sqlite::Connection& db, std::string full_synchronous)
    : db_(db),
      begin_(db.prepare("BEGIN IMMEDIATE")),
      commit_(db.prepare("COMMIT")),
      rollback_(db.prepare("ROLLBACK")),
      full_sync_(std::move(full_synchronous)) {}

void TransactionControl::begin(Durability durability) {
  if (open_) throw sqlite::SqliteError(0, "a transaction is already open on this state store");
  if (durability != current_) {
    // In WAL mode a NORMAL commit is not fsynced; the next FULL commit syncs the WAL, and with it
    // everything committed before, so the levels may alternate freely.
    db_.exec(std::string("PRAGMA synchronous = ") +
             (durability == Durability::full ? full_sync_ : std::string("NORMAL")));
    current_ = durability;
  }
  begin_.run();
  open_ = true;
}

void TransactionControl::commit() {
  commit_.run();
  open_ = false;
}

void TransactionControl::rollback() noexcept {
  open_ = false;
  try {
    rollback_.run();
  } catch (...) {
    // SQLite may have rolled back already (some I/O errors do): nothing is left to undo.
  }
}

Transaction::Transaction(StateStore& store, Durability durability)
    : Transaction(store.transactions(), durability) {}

Transaction::Transaction(TransactionControl& control, Durability durability) : control_(control) {
  control_.begin(durability);
}

Transaction::~Transaction() {
  if (!committed_) control_.rollback();
}

void Transaction::commit() {
  control_.commit();
  committed_ = true;
}

}  // namespace opsync
