#include "sqlite/migrate.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

#include "temp_db.h"

namespace nxt::sqlite {
namespace {

using testing::TempDb;

constexpr std::array<std::string_view, 2> kV2 = {
    "CREATE TABLE clients (id TEXT PRIMARY KEY)",
    "ALTER TABLE clients ADD COLUMN platform TEXT; CREATE INDEX clients_platform ON clients(platform)",
};
constexpr std::array<std::string_view, 3> kV3 = {
    kV2[0],
    kV2[1],
    "CREATE TABLE leases (client_id TEXT NOT NULL REFERENCES clients(id), expires_ms INTEGER)",
};

Database OpenOrDie(const TempDb& tmp) {
  auto db = Database::Open(tmp.path());
  EXPECT_TRUE(db.ok());
  return std::move(*db);
}

int64_t Version(Database& db) {
  auto v = SchemaVersion(db);
  EXPECT_TRUE(v.ok());
  return v.ok() ? *v : -1;
}

TEST(AMigration, BringsANewDatabaseToTheLatestVersion) {
  TempDb tmp;
  Database db = OpenOrDie(tmp);
  EXPECT_EQ(Version(db), 0);
  ASSERT_TRUE(Migrate(db, kV2).ok());
  EXPECT_EQ(Version(db), 2);
  EXPECT_TRUE(db.Exec("INSERT INTO clients (id, platform) VALUES ('h1', 'linux-amd64-gnu')").ok());
}

TEST(AMigration, IsANoOpWhenRunAgain) {
  TempDb tmp;
  Database db = OpenOrDie(tmp);
  ASSERT_TRUE(Migrate(db, kV2).ok());
  ASSERT_TRUE(db.Exec("INSERT INTO clients (id) VALUES ('h1')").ok());
  // Re-running step 1 would fail ("table clients already exists"), so success means it was skipped.
  ASSERT_TRUE(Migrate(db, kV2).ok());
  EXPECT_EQ(Version(db), 2);
}

TEST(AMigration, AppliesOnlyTheNewStepsToAnExistingDatabaseAfterReopen) {
  TempDb tmp;
  {
    Database db = OpenOrDie(tmp);
    ASSERT_TRUE(Migrate(db, kV2).ok());
    ASSERT_TRUE(db.Exec("INSERT INTO clients (id) VALUES ('h1')").ok());
  }
  Database db = OpenOrDie(tmp);
  ASSERT_TRUE(Migrate(db, kV3).ok());
  EXPECT_EQ(Version(db), 3);
  EXPECT_TRUE(db.Exec("INSERT INTO leases VALUES ('h1', 5)").ok());
  EXPECT_FALSE(db.Exec("INSERT INTO leases VALUES ('unknown', 5)").ok());  // FK from step 3
}

TEST(AMigration, LeavesTheSchemaAtTheLastWholeVersionWhenAStepFails) {
  TempDb tmp;
  Database db = OpenOrDie(tmp);
  constexpr std::array<std::string_view, 2> kBroken = {
      kV2[0],
      "CREATE TABLE half (a); CREATE TABL oops (b)",  // second statement fails
  };
  Status s = Migrate(db, kBroken);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("migration to schema version 2"), std::string::npos) << s.error().message();
  EXPECT_EQ(Version(db), 1);
  EXPECT_FALSE(db.InTransaction());
  EXPECT_FALSE(db.Exec("SELECT * FROM half").ok()) << "the failed step's first statement was rolled back";
}

TEST(AMigration, RefusesADatabaseNewerThanTheProgram) {
  TempDb tmp;
  Database db = OpenOrDie(tmp);
  ASSERT_TRUE(Migrate(db, kV3).ok());
  Status s = Migrate(db, kV2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Errc::kUnsupported);
  EXPECT_EQ(Version(db), 3);
}

}  // namespace
}  // namespace nxt::sqlite
