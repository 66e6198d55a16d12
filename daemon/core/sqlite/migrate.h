// Schema migrations (nxt_sqlite): step i (0-based) moves the schema from
// version i to i+1, where the version is PRAGMA user_version. Steps are only
// ever appended, never edited once shipped.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "sqlite/database.h"

namespace nxt::sqlite {

// Applies the steps the database has not seen yet, each in its own IMMEDIATE
// transaction together with its user_version bump, so a crash or failure
// leaves the schema at a whole version. Running it again is a no-op.
// kUnsupported if the database is newer than `steps` (a downgraded daemon).
Status Migrate(Database& db, std::span<const std::string_view> steps);

// PRAGMA user_version.
Result<int64_t> SchemaVersion(Database& db);

}  // namespace nxt::sqlite
