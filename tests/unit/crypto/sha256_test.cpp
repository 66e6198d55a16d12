#include "crypto/sha256.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "base/unique_fd.h"

namespace nxt::crypto {
namespace {

// FIPS 180-2 / NIST test vectors.
constexpr std::string_view kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kMillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr std::string_view kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr std::string_view kTwoBlocksMsg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256Of, MatchesTheStandardVectors) {
  EXPECT_EQ(ToHex(Sha256Of(std::string_view())), kEmpty);
  EXPECT_EQ(ToHex(Sha256Of(std::string_view("abc"))), kAbc);
  EXPECT_EQ(ToHex(Sha256Of(kTwoBlocksMsg)), kTwoBlocks);
  EXPECT_EQ(ToHex(Sha256Of(std::string(1'000'000, 'a'))), kMillionA);
}

TEST(AStreamingSha256, GivesTheSameDigestWhateverTheSplit) {
  std::string million(1'000'000, 'a');
  Sha256 h;
  std::size_t step = 1;
  for (std::size_t off = 0; off < million.size(); off += step, step = step * 3 + 1) {
    h.Update(std::string_view(million).substr(off, step));
  }
  EXPECT_EQ(ToHex(h.Final()), kMillionA);
}

TEST(AStreamingSha256, StartsOverAfterFinal) {
  Sha256 h;
  h.Update(std::string_view("abc"));
  EXPECT_EQ(ToHex(h.Final()), kAbc);
  EXPECT_EQ(ToHex(h.Final()), kEmpty);
  h.Update(std::string_view("abc"));
  EXPECT_EQ(ToHex(h.Final()), kAbc);
}

TEST(AStreamingSha256, ForgetsFedBytesOnReset) {
  Sha256 h;
  h.Update(std::string_view("garbage"));
  h.Reset();
  h.Update(std::string_view("abc"));
  EXPECT_EQ(ToHex(h.Final()), kAbc);
}

TEST(AStreamingSha256, CopiesItsStateSoAPrefixCanBeContinuedTwice) {
  Sha256 prefix;
  prefix.Update(std::string_view("ab"));
  Sha256 a = prefix;
  Sha256 b;
  b = prefix;
  a.Update(std::string_view("c"));
  b.Update(std::string_view("x"));
  EXPECT_EQ(ToHex(a.Final()), kAbc);
  EXPECT_EQ(b.Final(), Sha256Of(std::string_view("abx")));
  prefix.Update(std::string_view("c"));  // the original is untouched by its copies
  EXPECT_EQ(ToHex(prefix.Final()), kAbc);
}

TEST(AStreamingSha256, CanBeMovedAndAMovedFromOneReassigned) {
  Sha256 a;
  a.Update(std::string_view("ab"));
  Sha256 b = std::move(a);
  b.Update(std::string_view("c"));
  EXPECT_EQ(ToHex(b.Final()), kAbc);
  Sha256 c;
  c.Update(std::string_view("abc"));
  a = c;  // reviving the moved-from object
  EXPECT_EQ(ToHex(a.Final()), kAbc);
}

class TempFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp ? tmp : "/tmp") + "/nxt-sha256-XXXXXX";
    fd_.Reset(::mkstemp(path_.data()));
    ASSERT_TRUE(fd_.valid());
  }
  void TearDown() override { ::unlink(path_.c_str()); }
  void Write(const std::string& bytes) {
    ASSERT_EQ(::pwrite(fd_.get(), bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }

  std::string path_;
  UniqueFd fd_;
};

using Sha256OfFileTest = TempFile;

TEST_F(Sha256OfFileTest, HashesAFileLargerThanOneReadStep) {
  // 2.5 MiB of a pattern: exercises full and partial 1 MiB preads.
  std::string bytes(5 << 19, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + (i >> 12));
  Write(bytes);
  auto by_fd = Sha256OfFile(fd_.get());
  ASSERT_TRUE(by_fd.ok()) << by_fd.error().message();
  EXPECT_EQ(*by_fd, Sha256Of(bytes));
  auto by_path = Sha256OfFile(path_);
  ASSERT_TRUE(by_path.ok());
  EXPECT_EQ(*by_path, *by_fd);
}

TEST_F(Sha256OfFileTest, IgnoresTheFileOffsetAndHashesAnEmptyFile) {
  auto empty = Sha256OfFile(fd_.get());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(ToHex(*empty), kEmpty);
  Write("abc");
  ASSERT_EQ(::lseek(fd_.get(), 2, SEEK_SET), 2);
  EXPECT_EQ(ToHex(*Sha256OfFile(fd_.get())), kAbc);
}

TEST(Sha256OfFile, ReportsAMissingFileAsNotFoundWithItsPath) {
  auto r = Sha256OfFile(std::string("/nonexistent/nxt/file"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kNotFound);
  EXPECT_NE(r.error().message().find("/nonexistent/nxt/file"), std::string::npos);
}

TEST(Sha256OfFile, ReportsABadDescriptorAsAnError) {
  EXPECT_FALSE(Sha256OfFile(-1).ok());
}

}  // namespace
}  // namespace nxt::crypto
