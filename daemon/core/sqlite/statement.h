// A prepared SQLite statement (nxt_sqlite). Parameters are 1-based, columns
// 0-based, as in SQLite. Finalized on destruction; may outlive nothing but
// its Database's scope (sqlite3_close_v2 defers the close until then anyway).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

struct sqlite3_stmt;

namespace nxt::sqlite {

class Statement {
 public:
  Status Bind(int index, int64_t value);
  Status Bind(int index, std::string_view text);            // TEXT
  Status Bind(int index, std::span<const uint8_t> blob);    // BLOB (digests, keys)
  Status Bind(int index, std::nullptr_t);                   // NULL
  Status BindBlob(int index, std::string_view bytes);        // BLOB from a protobuf `bytes` field
  // No REAL columns in nxt: refuse doubles instead of truncating them.
  template <std::floating_point T>
  Status Bind(int index, T) = delete;

  // Binds args to parameters 1..N in order; stops at the first error.
  template <typename... Args>
  Status BindAll(const Args&... args) {
    int index = 0;
    Status status;
    ((status.ok() ? void(status = Bind(++index, args)) : void()), ...);
    return status;
  }

  // true: a row is available; false: done.
  Result<bool> Step();
  // Steps to completion, discarding any rows (INSERT/UPDATE/DELETE).
  Status Run();
  // Ready to step again from the start, with all parameters back to NULL.
  void Reset();

  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  std::vector<uint8_t> ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;
  int ColumnCount() const;

  std::string_view sql() const;

 private:
  friend class Database;
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const;
  };
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status Check(int rc) const;

  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

}  // namespace nxt::sqlite
