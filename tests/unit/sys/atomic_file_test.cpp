#include "sys/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "temp_dir.h"

namespace nxt::sys {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(WriteFileAtomic, ReplacesTheContentAndLeavesNoTempFile) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "state", std::string_view("old")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "state", std::string_view("new content")).ok());
  EXPECT_EQ(*ReadFile(dir / "state", 1024), "new content");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"state"});
}

TEST(WriteFileAtomic, SetsTheModeExactlyWhateverTheUmask) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "identity", std::string_view("key"), 0600).ok());
  EXPECT_EQ(ModeOf(dir / "identity"), 0600u);
  ASSERT_TRUE(WriteFileAtomic(dir / "shared", std::string_view("x"), 0664).ok());
  EXPECT_EQ(ModeOf(dir / "shared"), 0664u);
}

TEST(WriteFileAtomic, WritesBinaryBytes) {
  TempDir dir;
  const uint8_t bytes[] = {0, 1, 2, 255};
  ASSERT_TRUE(WriteFileAtomic(dir / "bin", std::span<const uint8_t>(bytes)).ok());
  EXPECT_EQ(*ReadFile(dir / "bin", 16), std::string("\0\1\2\xff", 4));
}

TEST(WriteFileAtomic, NamesTheSyscallAndPathsAndCleansUpWhenRenameFails) {
  TempDir dir;
  fs::create_directory(dir / "busy");  // rename(file, dir) fails with EISDIR
  Status s = WriteFileAtomic(dir / "busy", std::string_view("x"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message().rfind("rename " + dir.path() + "/busy.tmp.", 0), 0u)
      << s.error().message();
  EXPECT_NE(s.error().message().find(" -> " + dir.path() + "/busy: Is a directory"),
            std::string::npos)
      << s.error().message();
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"busy"});
}

TEST(WriteFileAtomic, FailsWithNotFoundInAMissingDirectory) {
  TempDir dir;
  Status s = WriteFileAtomic(dir / "nope/state", std::string_view("x"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Errc::kNotFound);
  EXPECT_NE(s.error().message().find(dir.path() + "/nope/state.tmp."), std::string::npos);
}

TEST(ReplaceSymlinkAtomic, SwapsWhereTheLinkPointsAndLeavesNoTempLink) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "a.so", std::string_view("A")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "b.so", std::string_view("B")).ok());
  ASSERT_TRUE(ReplaceSymlinkAtomic("a.so", dir / "current").ok());
  EXPECT_EQ(*ReadFile(dir / "current", 16), "A");
  ASSERT_TRUE(ReplaceSymlinkAtomic("b.so", dir / "current").ok());
  EXPECT_EQ(*ReadSymlink(dir / "current"), "b.so");
  EXPECT_EQ(*ReadFile(dir / "current", 16), "B");
  EXPECT_EQ(Names(dir.path()), (std::vector<std::string>{"a.so", "b.so", "current"}));
}

TEST(RenameDurable, MovesAFileAcrossDirectories) {
  TempDir dir;
  ASSERT_TRUE(EnsureDir(dir / "staging").ok());
  ASSERT_TRUE(EnsureDir(dir / "store").ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "staging/x.part", std::string_view("data")).ok());
  ASSERT_TRUE(RenameDurable(dir / "staging/x.part", dir / "store/x.so").ok());
  EXPECT_EQ(*ReadFile(dir / "store/x.so", 16), "data");
  EXPECT_FALSE(fs::exists(dir / "staging/x.part"));
}

TEST(ReadFile, RefusesAFileLargerThanTheLimit) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "big", std::string(100, 'x')).ok());
  EXPECT_TRUE(ReadFile(dir / "big", 100).ok());
  Result<std::string> r = ReadFile(dir / "big", 99);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
  EXPECT_NE(r.error().message().find(dir / "big"), std::string::npos);
}

TEST(EnsureDir, CreatesMissingParentsAndAcceptsAnExistingDirectory) {
  TempDir dir;
  ASSERT_TRUE(EnsureDir(dir / "a/b/c/", 0750).ok());
  EXPECT_TRUE(fs::is_directory(dir / "a/b/c"));
  EXPECT_TRUE(EnsureDir(dir / "a/b/c", 0750).ok());
}

TEST(EnsureDir, RefusesAPathThatIsAFile) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "f", std::string_view("x")).ok());
  Status s = EnsureDir(dir / "f/sub");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find(dir / "f" + ": exists and is not a directory"),
            std::string::npos)
      << s.error().message();
}

TEST(DirName, SplitsLikeDirname1) {
  EXPECT_EQ(DirName("/a/b"), "/a");
  EXPECT_EQ(DirName("/b"), "/");
  EXPECT_EQ(DirName("b"), ".");
}

}  // namespace
}  // namespace nxt::sys
