#pragma once
// The one way to change the state store atomically: a scope. What is written through the store
// while a Transaction is open becomes durable together at commit(), or not at all: a Transaction
// that ends without commit() (an exception, an early return) rolls everything back.
//
//   Transaction tx(store, Durability::relaxed);
//   store.outbox().schedule_retry(...);
//   tx.commit();
//
// Not nested: one Transaction at a time per store. Begins with BEGIN IMMEDIATE, so the write
// lock is taken at once and a commit never fails for a concurrent writer.

#include <string>

#include "store/sqlite.h"

namespace opsync {

class StateStore;

/// How a transaction's commit survives failures.
enum class Durability {
  /// Survives power loss (synchronous=FULL unless StoreOptions says otherwise): canonical
  /// changes, dead letters of invalid events and consumer offsets.
  full,
  /// Survives a process crash, not power loss (synchronous=NORMAL): bookkeeping whose loss only
  /// repeats work, such as a push's completion (the push is sent again, harmlessly, since it
  /// carries desired values) or a published dead letter's deletion. Saves an fsync per push.
  relaxed,
};

/// Begins and ends the transactions of one connection and sets the synchronous level each one
/// commits at. One per connection (the StateStore owns it); used only through Transaction.
class TransactionControl {
 public:
  /// `full_synchronous` is the synchronous level of Durability::full ("FULL" or "NORMAL"), the
  /// one the connection was opened with.
  TransactionControl(sqlite::Connection& db, std::string full_synchronous);
  TransactionControl(const TransactionControl&) = delete;
  TransactionControl& operator=(const TransactionControl&) = delete;

  bool open() const { return open_; }

 private:
  friend class Transaction;
  void begin(Durability durability);
  void commit();
  void rollback() noexcept;

  sqlite::Connection& db_;
  sqlite::Statement begin_, commit_, rollback_;
  std::string full_sync_;
  Durability current_ = Durability::full;
  bool open_ = false;
};

class Transaction {
 public:
  /// Begins a transaction on `store`. Throws sqlite::SqliteError if one is already open on it.
  explicit Transaction(StateStore& store, Durability durability = Durability::full);
  explicit Transaction(TransactionControl& control, Durability durability = Durability::full);
  /// Rolls back unless commit() succeeded. Never throws.
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  /// Makes everything since the constructor durable to its Durability. If it throws, the
  /// transaction is still open and the destructor rolls it back.
  void commit();

 private:
  TransactionControl& control_;
  bool committed_ = false;
};

}  // namespace opsync
