#include "sqlite/sqlite_error.h"

#include <sqlite3.h>

namespace nxt::sqlite::detail {
namespace {

constexpr int kHeadWords = 3;
constexpr std::size_t kHeadMaxChars = 48;

Errc CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Errc::kBusy;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_ERROR: return Errc::kInvalidArgument;  // SQL or binding mistakes
    case SQLITE_FULL: return Errc::kNoSpace;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Errc::kCorrupt;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH: return Errc::kPermission;
    case SQLITE_CANTOPEN: return Errc::kNotFound;
    default: return Errc::kIo;
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string SqlHead(std::string_view sql) {
  std::string out;
  int words = 0;
  std::size_t i = 0;
  while (i < sql.size() && words < kHeadWords) {
    while (i < sql.size() && IsSpace(sql[i])) ++i;
    if (i == sql.size()) break;
    if (!out.empty()) out += ' ';
    while (i < sql.size() && !IsSpace(sql[i])) out += sql[i++];
    ++words;
  }
  if (out.size() > kHeadMaxChars) out = out.substr(0, kHeadMaxChars) + "...";
  return out;
}

Error SqliteError(int rc, sqlite3* db, std::string_view sql) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text = "sqlite: ";
  if (!sql.empty()) text += SqlHead(sql) + ": ";
  text += msg;
  return Error(CodeFor(rc), std::move(text));
}

}  // namespace nxt::sqlite::detail
