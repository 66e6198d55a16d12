// Internal to nxt_sqlite: SQLite result codes -> nxt::Error.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

struct sqlite3;

namespace nxt::sqlite::detail {

// The first few words of `sql`, whitespace collapsed: "INSERT INTO clients".
std::string SqlHead(std::string_view sql);

// "sqlite: <first words of sql>: <sqlite3_errmsg(db)>", with an Errc chosen
// from the primary result code (BUSY -> kBusy, CONSTRAINT -> kInvalidArgument,
// FULL -> kNoSpace, CORRUPT/NOTADB -> kCorrupt, PERM/READONLY -> kPermission).
Error SqliteError(int rc, sqlite3* db, std::string_view sql);

}  // namespace nxt::sqlite::detail
