#include "sqlite/database.h"

#include <sqlite3.h>

#include "sqlite/sqlite_error.h"

namespace nxt::sqlite {
namespace {

bool OnlyWhitespaceOrSemicolons(std::string_view rest) {
  return rest.find_first_not_of(" \t\r\n;") == std::string_view::npos;
}

Result<std::string> QueryText(Database& db, std::string_view sql) {
  NXT_ASSIGN(Statement st, db.Prepare(sql));
  NXT_ASSIGN(bool row, st.Step());
  if (!row) return Error(Errc::kIo, "sqlite: " + std::string(sql) + ": returned no row");
  return st.ColumnText(0);
}

}  // namespace

void Database::Close::operator()(sqlite3* db) const {
  // _v2: if a Statement is still alive the close completes when it is finalized.
  sqlite3_close_v2(db);
}

Result<Database> Database::Open(const std::string& path, const DatabaseOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw);  // owns the handle even when open failed
  if (rc != SQLITE_OK) return detail::SqliteError(rc, raw, "").WithContext("open " + path);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  auto mode = QueryText(db, "PRAGMA journal_mode=WAL");
  if (!mode.ok()) return std::move(mode).error().WithContext(path);
  if (*mode != "wal") {
    return Error(Errc::kUnsupported, path + ": cannot use WAL journal (got '" + *mode + "')");
  }
  const char* sync = options.durable_commits ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  if (auto s = db.Exec(sync); !s.ok()) return std::move(s).error().WithContext(path);
  if (auto s = db.Exec("PRAGMA foreign_keys=ON"); !s.ok()) return std::move(s).error().WithContext(path);
  return db;
}

Status Database::Exec(std::string_view sql) {
  while (!OnlyWhitespaceOrSemicolons(sql)) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
    if (rc != SQLITE_OK) return detail::SqliteError(rc, db_.get(), sql);
    if (raw == nullptr) break;  // only a comment was left
    Statement st(raw);
    NXT_TRY(st.Run());
    sql.remove_prefix(static_cast<std::size_t>(tail - sql.data()));
  }
  return Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  if (rc != SQLITE_OK) return detail::SqliteError(rc, db_.get(), sql);
  if (raw == nullptr) return Error(Errc::kInvalidArgument, "sqlite: empty statement");
  Statement st(raw);
  std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  if (!OnlyWhitespaceOrSemicolons(rest)) {
    return Error(Errc::kInvalidArgument,
                 "sqlite: " + detail::SqlHead(sql) + ": more than one statement; use Exec()");
  }
  return st;
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }

int64_t Database::Changes() const { return sqlite3_changes64(db_.get()); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

}  // namespace nxt::sqlite
