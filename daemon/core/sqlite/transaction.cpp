#include "sqlite/transaction.h"

#include <utility>

namespace nxt::sqlite {

Result<Transaction> Transaction::Begin(Database& db) {
  NXT_TRY(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  // Some errors (SQLITE_FULL, IOERR) already rolled back; ROLLBACK would then fail.
  if (db_ != nullptr && db_->InTransaction()) (void)db_->Exec("ROLLBACK");
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Status Transaction::Commit() {
  if (db_ == nullptr) return Error(Errc::kInvalidArgument, "sqlite: transaction already committed");
  NXT_TRY(db_->Exec("COMMIT"));
  db_ = nullptr;
  return Ok();
}

}  // namespace nxt::sqlite
