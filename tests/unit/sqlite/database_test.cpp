#include "sqlite/database.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "sqlite/statement.h"
#include "sqlite/transaction.h"
#include "temp_db.h"

namespace nxt::sqlite {
namespace {

using testing::TempDb;

constexpr std::string_view kSchema = R"sql(
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 BLOB NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    note TEXT
  );
  CREATE TABLE deployments (
    id INTEGER PRIMARY KEY,
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id)
  );
)sql";

class ADatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(tmp_.path());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_.emplace(std::move(*db));
    ASSERT_TRUE(db_->Exec(kSchema).ok());
  }

  Status Insert(std::string_view name, std::vector<uint8_t> sha, int64_t size) {
    NXT_ASSIGN(Statement st, db_->Prepare("INSERT INTO artifacts (name, sha256, size) VALUES (?, ?, ?)"));
    NXT_TRY(st.BindAll(name, sha, size));
    return st.Run();
  }

  int64_t Count() {
    auto st = db_->Prepare("SELECT count(*) FROM artifacts");
    EXPECT_TRUE(st.ok());
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row);
    return st->ColumnInt64(0);
  }

  TempDb tmp_;
  std::optional<Database> db_;
};

TEST_F(ADatabase, InsertsReadsUpdatesAndDeletesRows) {
  const std::vector<uint8_t> sha{0x00, 0xff, 0x10, 0x00};  // embedded zero bytes survive
  ASSERT_TRUE(Insert("libfunctional", sha, 4096).ok());
  const int64_t id = db_->LastInsertRowId();

  auto sel = db_->Prepare("SELECT name, sha256, size, note FROM artifacts WHERE id = ?");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(sel->Bind(1, id).ok());
  auto row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(sel->ColumnText(0), "libfunctional");
  EXPECT_EQ(sel->ColumnBlob(1), sha);
  EXPECT_EQ(sel->ColumnInt64(2), 4096);
  EXPECT_TRUE(sel->ColumnIsNull(3));
  EXPECT_FALSE(sel->ColumnIsNull(0));
  EXPECT_EQ(sel->ColumnCount(), 4);
  auto end = sel->Step();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);

  auto upd = db_->Prepare("UPDATE artifacts SET note = ?, size = ? WHERE id = ?");
  ASSERT_TRUE(upd.ok());
  ASSERT_TRUE(upd->BindAll("pushed", int64_t{8192}, id).ok());
  ASSERT_TRUE(upd->Run().ok());
  EXPECT_EQ(db_->Changes(), 1);

  sel->Reset();
  ASSERT_TRUE(sel->Bind(1, id).ok());
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnText(3), "pushed");
  EXPECT_EQ(sel->ColumnInt64(2), 8192);

  ASSERT_TRUE(db_->Exec("DELETE FROM artifacts").ok());
  EXPECT_EQ(Count(), 0);
}

TEST_F(ADatabase, BindsNullAndEmptyBlobsDistinctly) {
  auto ins = db_->Prepare("INSERT INTO artifacts (name, sha256, size, note) VALUES ('x', ?, 0, ?)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->Bind(1, std::span<const uint8_t>()).ok());
  ASSERT_TRUE(ins->Bind(2, nullptr).ok());
  ASSERT_TRUE(ins->Run().ok());
  auto sel = db_->Prepare("SELECT sha256 IS NULL, length(sha256), note IS NULL FROM artifacts");
  ASSERT_TRUE(sel.ok() && *sel->Step());
  EXPECT_EQ(sel->ColumnInt64(0), 0);  // NOT NULL column accepted an empty blob
  EXPECT_EQ(sel->ColumnInt64(1), 0);
  EXPECT_EQ(sel->ColumnInt64(2), 1);
}

TEST_F(ADatabase, ResetClearsPreviousBindings) {
  auto ins = db_->Prepare("INSERT INTO artifacts (name, sha256, size) VALUES (?, ?, ?)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->BindAll("a", std::vector<uint8_t>{1}, int64_t{1}).ok());
  ASSERT_TRUE(ins->Run().ok());
  ins->Reset();
  auto again = ins->Run();  // all parameters NULL now: NOT NULL constraint
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Errc::kInvalidArgument);
}

TEST_F(ADatabase, ReportsConstraintErrorsWithSqliteMessageAndTheSqlsFirstWords) {
  ASSERT_TRUE(Insert("a", {1, 2, 3}, 1).ok());
  Status dup = Insert("b", {1, 2, 3}, 2);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), Errc::kInvalidArgument);
  const std::string& msg = dup.error().message();
  EXPECT_NE(msg.find("INSERT INTO artifacts"), std::string::npos) << msg;
  EXPECT_NE(msg.find("UNIQUE constraint failed: artifacts.sha256"), std::string::npos) << msg;
}

TEST_F(ADatabase, ReportsBadSqlWithItsFirstWords) {
  auto st = db_->Prepare("SELECT nope FROM artifacts WHERE id = 1");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("SELECT nope FROM"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("no such column: nope"), std::string::npos) << st.error().message();
  EXPECT_FALSE(db_->Exec("CREATE TABLE x (a); CREATE TABL y (b)").ok());
}

TEST_F(ADatabase, PrepareRefusesSeveralStatements) {
  auto st = db_->Prepare("DELETE FROM artifacts; DROP TABLE artifacts");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Errc::kInvalidArgument);
  EXPECT_TRUE(db_->Prepare("SELECT 1;  \n").ok());
}

TEST_F(ADatabase, EnforcesForeignKeys) {
  Status orphan = db_->Exec("INSERT INTO deployments (artifact_id) VALUES (42)");
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message().find("FOREIGN KEY constraint failed"), std::string::npos);
}

TEST_F(ADatabase, UsesWriteAheadLogging) {
  auto st = db_->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st.ok() && *st->Step());
  EXPECT_EQ(st->ColumnText(0), "wal");
  auto sync = db_->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok() && *sync->Step());
  EXPECT_EQ(sync->ColumnInt64(0), 1);  // NORMAL by default
}

TEST_F(ADatabase, RollsBackATransactionLeftWithoutCommit) {
  ASSERT_TRUE(Insert("kept", {1}, 1).ok());
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx.ok()) << tx.error().message();
    ASSERT_TRUE(Insert("dropped", {2}, 2).ok());
    EXPECT_EQ(Count(), 2);
    EXPECT_TRUE(db_->InTransaction());
  }
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count(), 1);
}

TEST_F(ADatabase, KeepsACommittedTransaction) {
  {
    auto tx = Transaction::Begin(*db_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(Insert("a", {1}, 1).ok());
    ASSERT_TRUE(Insert("b", {2}, 2).ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->Commit().ok());  // twice is a caller bug, not a crash
  }
  EXPECT_EQ(Count(), 2);
}

TEST_F(ADatabase, RollsBackWhenAnErrorReturnsEarlyFromTheScope) {
  auto transfer = [&]() -> Status {
    NXT_ASSIGN(Transaction tx, Transaction::Begin(*db_));
    NXT_TRY(Insert("a", {1}, 1));
    NXT_TRY(Insert("b", {1}, 2));  // duplicate sha256: fails, returns early
    return tx.Commit();
  };
  EXPECT_FALSE(transfer().ok());
  EXPECT_EQ(Count(), 0);
}

TEST_F(ADatabase, RefusesANestedTransaction) {
  auto outer = Transaction::Begin(*db_);
  ASSERT_TRUE(outer.ok());
  EXPECT_FALSE(Transaction::Begin(*db_).ok());
  EXPECT_TRUE(outer->Commit().ok());
}

TEST(ADatabaseFile, KeepsCommittedDataAcrossReopen) {
  TempDb tmp;
  {
    auto db = Database::Open(tmp.path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT); INSERT INTO kv VALUES ('a', '1')").ok());
  }
  auto db = Database::Open(tmp.path(), DatabaseOptions{.durable_commits = true});
  ASSERT_TRUE(db.ok());
  auto st = db->Prepare("SELECT v FROM kv WHERE k = 'a'");
  ASSERT_TRUE(st.ok());
  auto row = st->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(st->ColumnText(0), "1");
  auto sync = db->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok() && *sync->Step());
  EXPECT_EQ(sync->ColumnInt64(0), 2);  // FULL
}

TEST(ADatabaseFile, RefusesAFileThatIsNotADatabase) {
  TempDb tmp;
  std::ofstream(tmp.path()) << std::string(4096, 'x');
  auto db = Database::Open(tmp.path());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), Errc::kCorrupt);
  EXPECT_NE(db.error().message().find(tmp.path()), std::string::npos) << db.error().message();
}

TEST(ADatabaseFile, ReportsAnUnopenablePath) {
  auto db = Database::Open("/nonexistent/nxt/dir/state.db");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message().find("/nonexistent/nxt/dir/state.db"), std::string::npos);
}

}  // namespace
}  // namespace nxt::sqlite
