// An IMMEDIATE transaction (nxt_sqlite): takes the write lock at BEGIN, so a
// busy database fails at the start rather than halfway through. Rolls back on
// destruction unless Commit() succeeded: an early `return` or NXT_TRY inside
// the scope leaves the database as it was.
#pragma once

#include "base/result.h"
#include "sqlite/database.h"

namespace nxt::sqlite {

class Transaction {
 public:
  // BEGIN IMMEDIATE. The Database must outlive the Transaction.
  static Result<Transaction> Begin(Database& db);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // COMMIT. On failure (e.g. kBusy) the transaction is still open and is
  // rolled back on destruction unless Commit() is retried successfully.
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or moved from
};

}  // namespace nxt::sqlite
