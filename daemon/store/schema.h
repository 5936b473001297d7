#pragma once
// The state file's layout: the connection settings (WAL, synchronous level, cache, checkpoint)
// and the versioned schema (PRAGMA user_version), migrated forward on open. A file written by a
// newer opsync is refused rather than damaged.

#include <string>

namespace opsync {

namespace sqlite {
class Connection;
}
class TransactionControl;

namespace schema {

/// The version this opsyncd writes. Each migration step raises the file's version by one.
inline constexpr int kVersion = 6;

/// Sets the connection's pragmas; `synchronous` is "FULL" or "NORMAL".
void configure(sqlite::Connection& db, const std::string& synchronous);

/// The file's schema version (0: a new, empty file).
int version(sqlite::Connection& db);

/// Brings the file at `path` up to kVersion, each step in its own transaction. Throws
/// sqlite::SqliteError if the file's version is newer than kVersion.
void migrate(sqlite::Connection& db, TransactionControl& transactions, const std::string& path);

}  // namespace schema
}  // namespace opsync
