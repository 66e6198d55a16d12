// nxt_sqlite: a minimal RAII wrapper over libsqlite3 for the daemons' state
// (state.db). It owns connections, statements, transactions and schema
// migrations; it knows no schema or domain types (their owners do), never
// shares a connection between threads, never throws, and reports every
// failure as an Error carrying SQLite's message and the SQL's first words.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sqlite/statement.h"

struct sqlite3;

namespace nxt::sqlite {

struct DatabaseOptions {
  // false: PRAGMA synchronous=NORMAL. In WAL mode that never corrupts the
  // database and loses nothing on a daemon crash; only a power loss or kernel
  // crash may roll back the last transactions, and the server's state is
  // reconciled from clients' Hello/Report anyway. It saves an fsync per
  // commit: with 10k clients renewing every 20 s that is 500 fsync/s.
  // true: synchronous=FULL, every commit durable before it returns.
  bool durable_commits = false;
  // How long a statement waits for another process's lock (e.g. an operator
  // running sqlite3 on state.db) before failing with kBusy. Kept short
  // because it blocks the daemon's event loop.
  int busy_timeout_ms = 1000;
};

class Database {
 public:
  // Opens or creates `path`: journal_mode=WAL, synchronous per options,
  // foreign_keys=ON, busy_timeout. kUnsupported if WAL cannot be enabled.
  static Result<Database> Open(const std::string& path, const DatabaseOptions& options = {});

  // Runs one or more ';'-separated statements, discarding any rows.
  Status Exec(std::string_view sql);
  // Exactly one statement (kInvalidArgument if more follow).
  Result<Statement> Prepare(std::string_view sql);

  int64_t LastInsertRowId() const;
  int64_t Changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  bool InTransaction() const;

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  explicit Database(sqlite3* db) : db_(db) {}

  std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace nxt::sqlite
