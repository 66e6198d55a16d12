#include "sqlite/migrate.h"

#include <string>

#include "sqlite/transaction.h"

namespace nxt::sqlite {

Result<int64_t> SchemaVersion(Database& db) {
  NXT_ASSIGN(Statement st, db.Prepare("PRAGMA user_version"));
  NXT_ASSIGN(bool row, st.Step());
  if (!row) return Error(Errc::kIo, "sqlite: PRAGMA user_version returned no row");
  return st.ColumnInt64(0);
}

Status Migrate(Database& db, std::span<const std::string_view> steps) {
  const auto known = static_cast<int64_t>(steps.size());
  for (;;) {
    // The version is read inside the write transaction, so two processes
    // migrating the same file cannot both apply a step.
    NXT_ASSIGN(Transaction tx, Transaction::Begin(db));
    NXT_ASSIGN(int64_t version, SchemaVersion(db));
    if (version > known) {
      return Error(Errc::kUnsupported, "sqlite: database schema version " + std::to_string(version) +
                                           " is newer than this program's " + std::to_string(known));
    }
    if (version == known) return tx.Commit();
    const std::string context = "migration to schema version " + std::to_string(version + 1);
    if (auto s = db.Exec(steps[static_cast<std::size_t>(version)]); !s.ok()) {
      return std::move(s).error().WithContext(context);
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    NXT_TRY(db.Exec("PRAGMA user_version = " + std::to_string(version + 1)));
    NXT_TRY(tx.Commit());
  }
}

}  // namespace nxt::sqlite
