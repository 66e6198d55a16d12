#include "artifact/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "crypto/sha256.h"
#include "temp_dir.h"

namespace nxt::artifact {
namespace {

using testing::PatternBytes;
using testing::ReadAll;
using testing::TempDir;
using testing::WriteFile;

constexpr uint64_t kCreated = 1'700'000'000;

wire::ArtifactInfo Info(uint32_t major = 8) {
  wire::ArtifactInfo info;
  info.set_name("libfunctional");
  info.set_major(major);
  info.set_minor(6);
  info.set_product("nxtgen");
  info.set_platform("linux-amd64-gnu");
  return info;
}

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

class AnArtifactStore : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    ASSERT_TRUE(store_.Prepare().ok());
  }
  Result<StoredArtifact> ImportBytes(const std::string& bytes, wire::ArtifactInfo info = Info(),
                                     uint64_t created = kCreated) {
    UniqueFd src = WriteFile(tmp_.path() + "/src.so", bytes);
    return store_.Import(src.get(), std::move(info), created);
  }

  TempDir tmp_;
  std::string dir_ = tmp_.path() + "/artifacts";
  ArtifactStore store_{dir_};
};

TEST_F(AnArtifactStore, StoresContentUnderItsSha256AndLeavesNoTempFiles) {
  const std::string bytes = PatternBytes(600 * 1024 + 3);  // 3 blocks, the last one short
  auto stored = ImportBytes(bytes);
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  const std::string hex = crypto::ToHex(crypto::Sha256Of(bytes));
  EXPECT_EQ(crypto::ToHex(stored->sha256), hex);
  EXPECT_FALSE(stored->already_present);
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{hex, hex + ".manifest"}));
  EXPECT_EQ(store_.PayloadPath(stored->sha256), dir_ + "/" + hex);
}

TEST_F(AnArtifactStore, OpensIdenticalBytesWithTheirManifest) {
  const std::string bytes = PatternBytes(2 * 1024 * 1024 + 17, 3);  // several 1 MiB copy steps
  auto imported = ImportBytes(bytes);
  ASSERT_TRUE(imported.ok());
  auto opened = store_.Open(crypto::Sha256Of(bytes));
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(ReadAll(opened->fd.get()), bytes);
  EXPECT_EQ(opened->size, bytes.size());
  EXPECT_EQ(opened->manifest.size(), bytes.size());
  EXPECT_EQ(opened->manifest.artifact().name(), "libfunctional");
  EXPECT_EQ(opened->manifest.created_unix_s(), kCreated);
  EXPECT_EQ(opened->manifest_bytes, imported->manifest_bytes);
  EXPECT_EQ(opened->manifest_sha256, crypto::Sha256Of(opened->manifest_bytes));
  // What is on disk is exactly the manifest a sender would build from the file.
  UniqueFd src = WriteFile(tmp_.path() + "/again.so", bytes);
  auto built = BuildManifest(src.get(), bytes.size(), Info(), kCreated);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(opened->manifest_bytes, SerializeManifest(built->manifest));
}

TEST_F(AnArtifactStore, ReturnsTheFirstImportWhenTheSameContentComesAgain) {
  const std::string bytes = PatternBytes(300 * 1024);
  auto first = ImportBytes(bytes, Info(8), kCreated);
  ASSERT_TRUE(first.ok());
  auto second = ImportBytes(bytes, Info(9), kCreated + 60);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_TRUE(second->already_present);
  EXPECT_EQ(second->sha256, first->sha256);
  EXPECT_EQ(second->manifest_bytes, first->manifest_bytes);  // stable for resuming clients
  EXPECT_EQ(second->manifest.artifact().major(), 8u);
  EXPECT_EQ(Entries(dir_).size(), 2u);
}

TEST_F(AnArtifactStore, KeepsDifferentContentApartAndListsItSorted) {
  auto a = ImportBytes(PatternBytes(1000, 1));
  auto b = ImportBytes(PatternBytes(1000, 2));
  auto c = ImportBytes("");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  WriteFile(dir_ + "/README", "not an artifact");
  auto listed = store_.List();
  ASSERT_TRUE(listed.ok());
  std::vector<crypto::Digest> want{a->sha256, b->sha256, c->sha256};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*listed, want);
}

TEST_F(AnArtifactStore, StoresNothingWhenContentDiffersFromTheExpectedSha256) {
  wire::ArtifactInfo info = Info();
  info.set_sha256(crypto::DigestToBytes(crypto::Sha256Of(std::string_view("something else"))));
  auto r = ImportBytes(PatternBytes(4096), info);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
  EXPECT_TRUE(Entries(dir_).empty());
}

TEST_F(AnArtifactStore, RefusesANonRegularSource) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  UniqueFd r(p[0]), w(p[1]);
  auto stored = store_.Import(r.get(), Info(), kCreated);
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.error().code(), Errc::kUnsupported);
  EXPECT_TRUE(Entries(dir_).empty());
}

TEST_F(AnArtifactStore, ReportsUnknownContentAsNotFound) {
  auto r = store_.Open(crypto::Sha256Of(std::string_view("never imported")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kNotFound);
}

TEST_F(AnArtifactStore, ReportsAMissingManifestAsCorruptAndRepairsItOnReimport) {
  const std::string bytes = PatternBytes(70'000);
  auto stored = ImportBytes(bytes);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(::unlink(store_.ManifestPath(stored->sha256).c_str()), 0);
  auto broken = store_.Open(stored->sha256);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), Errc::kCorrupt);
  auto repaired = ImportBytes(bytes);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message();
  EXPECT_TRUE(store_.Open(stored->sha256).ok());
}

TEST_F(AnArtifactStore, ReportsAManifestOfOtherContentAsCorrupt) {
  auto a = ImportBytes(PatternBytes(1000, 1));
  auto b = ImportBytes(PatternBytes(2000, 2));
  ASSERT_TRUE(a.ok() && b.ok());
  std::filesystem::copy_file(store_.ManifestPath(b->sha256), store_.ManifestPath(a->sha256),
                             std::filesystem::copy_options::overwrite_existing);
  auto r = store_.Open(a->sha256);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
}

TEST_F(AnArtifactStore, MakesPayloadsReadOnlyAndVerifyCatchesTampering) {
  const std::string bytes = PatternBytes(10'000);
  auto stored = ImportBytes(bytes);
  ASSERT_TRUE(stored.ok());
  const std::string path = store_.PayloadPath(stored->sha256);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0440u);
  EXPECT_TRUE(store_.Verify(stored->sha256).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  WriteFile(path, PatternBytes(10'000, 99));
  auto v = store_.Verify(stored->sha256);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Errc::kCorrupt);
}

TEST_F(AnArtifactStore, PrepareRemovesInterruptedImportsButKeepsArtifacts) {
  auto stored = ImportBytes(PatternBytes(5000));
  ASSERT_TRUE(stored.ok());
  WriteFile(dir_ + "/.import-AbC123.tmp", "half a file");
  ASSERT_TRUE(store_.Prepare().ok());
  const std::string hex = crypto::ToHex(stored->sha256);
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{hex, hex + ".manifest"}));
}

}  // namespace
}  // namespace nxt::artifact
