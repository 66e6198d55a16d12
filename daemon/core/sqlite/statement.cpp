#include "sqlite/statement.h"

#include <sqlite3.h>

#include "sqlite/sqlite_error.h"

namespace nxt::sqlite {

void Statement::Finalize::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Status Statement::Check(int rc) const {
  if (rc == SQLITE_OK) return Ok();
  return detail::SqliteError(rc, sqlite3_db_handle(stmt_.get()), sql());
}

Status Statement::Bind(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_.get(), index, value));
}

Status Statement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may go away before Step().
  return Check(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Status Statement::Bind(int index, std::span<const uint8_t> blob) {
  // A NULL pointer would bind SQL NULL; an empty blob must stay an empty blob.
  static const uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  return Check(sqlite3_bind_blob64(stmt_.get(), index, data, blob.size(), SQLITE_TRANSIENT));
}

Status Statement::Bind(int index, std::nullptr_t) { return Check(sqlite3_bind_null(stmt_.get(), index)); }

Status Statement::BindBlob(int index, std::string_view bytes) {
  return Bind(index, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return detail::SqliteError(rc, sqlite3_db_handle(stmt_.get()), sql());
}

Status Statement::Run() {
  for (;;) {
    NXT_ASSIGN(bool row, Step());
    if (!row) return Ok();
  }
}

void Statement::Reset() {
  // sqlite3_reset repeats the last Step() error, which the caller already got.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  int len = sqlite3_column_bytes(stmt_.get(), column);  // after column_text: length of the text form
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(len));
}

std::vector<uint8_t> Statement::ColumnBlob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_.get(), column));
  int len = sqlite3_column_bytes(stmt_.get(), column);
  if (data == nullptr) return {};
  return std::vector<uint8_t>(data, data + len);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_.get()); }

std::string_view Statement::sql() const {
  const char* text = sqlite3_sql(stmt_.get());
  return text != nullptr ? std::string_view(text) : std::string_view();
}

}  // namespace nxt::sqlite
