#include "artifact/manifest.h"

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <string>

#include "artifact/block_plan.h"
#include "crypto/sha256.h"
#include "temp_dir.h"

namespace nxt::artifact {
namespace {

using testing::PatternBytes;
using testing::TempDir;
using testing::WriteFile;

constexpr uint64_t kBlock = 256 * 1024;  // the policy's block size for small files
constexpr uint64_t kCreated = 1'700'000'123;

wire::ArtifactInfo Info() {
  wire::ArtifactInfo info;
  info.set_name("libfunctional");
  info.set_major(8);
  info.set_minor(6);
  info.set_product("nxtgen");
  info.set_platform("linux-amd64-gnu");
  return info;
}

class AManifest : public ::testing::Test {
 protected:
  Result<ManifestAndDigest> BuildFrom(const std::string& bytes, wire::ArtifactInfo info = Info()) {
    UniqueFd fd = WriteFile(dir_.path() + "/payload", bytes);
    return BuildManifest(fd.get(), bytes.size(), std::move(info), kCreated);
  }
  TempDir dir_;
};

TEST_F(AManifest, HashesTheWholeFileAndEachBlockIncludingAShortLastOne) {
  // 3 full blocks + 1234 bytes, with a 1 MiB read step crossing block edges.
  const std::string bytes = PatternBytes(3 * kBlock + 1234);
  auto built = BuildFrom(bytes);
  ASSERT_TRUE(built.ok()) << built.error().message();
  const wire::Manifest& m = built->manifest;

  EXPECT_EQ(built->sha256, crypto::Sha256Of(bytes));
  EXPECT_EQ(m.artifact().sha256(), crypto::DigestToBytes(crypto::Sha256Of(bytes)));
  EXPECT_EQ(m.size(), bytes.size());
  EXPECT_EQ(m.block_size(), kBlock);
  ASSERT_EQ(m.block_sha256_size(), 4);
  for (int i = 0; i < 4; ++i) {
    std::string_view slice = std::string_view(bytes).substr(i * kBlock, kBlock);
    EXPECT_EQ(m.block_sha256(i), crypto::DigestToBytes(crypto::Sha256Of(slice))) << "block " << i;
  }
  EXPECT_EQ(m.kind(), "plugin");
  EXPECT_EQ(m.created_unix_s(), kCreated);
  EXPECT_EQ(m.artifact().name(), "libfunctional");
  EXPECT_EQ(m.artifact().major(), 8u);
}

TEST_F(AManifest, HasNoEmptyTrailingBlockWhenTheSizeIsAMultipleOfTheBlockSize) {
  const std::string bytes = PatternBytes(2 * kBlock);
  auto built = BuildFrom(bytes);
  ASSERT_TRUE(built.ok());
  ASSERT_EQ(built->manifest.block_sha256_size(), 2);
  EXPECT_EQ(built->manifest.block_sha256(1),
            crypto::DigestToBytes(crypto::Sha256Of(std::string_view(bytes).substr(kBlock))));
}

TEST_F(AManifest, OfAnEmptyFileHasNoBlocksAndTheEmptyDigest) {
  auto built = BuildFrom("");
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->manifest.block_sha256_size(), 0);
  EXPECT_EQ(built->sha256, crypto::Sha256Of(std::string_view()));
  EXPECT_TRUE(ParseManifest(crypto::AsBytes(SerializeManifest(built->manifest))).ok());
}

TEST_F(AManifest, IsTheSameWhateverPiecesTheBuilderIsFed) {
  const std::string bytes = PatternBytes(2 * kBlock + 77, 7);
  auto from_file = BuildFrom(bytes);
  ASSERT_TRUE(from_file.ok());
  ManifestBuilder builder(bytes.size(), Info(), kCreated);
  std::size_t step = 1;
  for (std::size_t off = 0; off < bytes.size(); off += step, step = step * 2 + 3) {
    builder.Update(crypto::AsBytes(std::string_view(bytes).substr(off, step)));
  }
  auto streamed = builder.Finish();
  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(SerializeManifest(streamed->manifest), SerializeManifest(from_file->manifest));
}

TEST_F(AManifest, RefusesAFileShorterThanTheGivenSize) {
  UniqueFd fd = WriteFile(dir_.path() + "/short", PatternBytes(1000));
  auto built = BuildManifest(fd.get(), 1001, Info(), kCreated);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().code(), Errc::kCorrupt);
}

TEST_F(AManifest, ChecksContentAgainstAnExpectedSha256) {
  const std::string bytes = PatternBytes(5000);
  wire::ArtifactInfo info = Info();
  info.set_sha256(crypto::DigestToBytes(crypto::Sha256Of(bytes)));
  EXPECT_TRUE(BuildFrom(bytes, info).ok());
  info.set_sha256(crypto::DigestToBytes(crypto::Sha256Of(std::string_view("other"))));
  auto wrong = BuildFrom(bytes, info);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), Errc::kCorrupt);
}

TEST_F(AManifest, RefusesArtifactStringsThatWouldMakeItOversized) {
  wire::ArtifactInfo info = Info();
  info.set_name(std::string(kMaxManifestBytes, 'n'));
  auto built = BuildFrom("x", info);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().code(), Errc::kInvalidArgument);
}

TEST_F(AManifest, SerializesDeterministicallyAndRoundTrips) {
  auto built = BuildFrom(PatternBytes(kBlock + 1));
  ASSERT_TRUE(built.ok());
  std::string a = SerializeManifest(built->manifest);
  std::string b = SerializeManifest(built->manifest);
  EXPECT_EQ(a, b);
  auto parsed = ParseManifest(crypto::AsBytes(a));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(SerializeManifest(*parsed), a);
}

// --- ParseManifest on hostile bytes -----------------------------------------

wire::Manifest ValidManifest() {
  wire::Manifest m;
  *m.mutable_artifact() = Info();
  m.mutable_artifact()->set_sha256(std::string(32, 'h'));
  m.set_size(2 * kBlock + 1);
  m.set_block_size(kBlock);
  m.set_kind("plugin");
  for (int i = 0; i < 3; ++i) m.add_block_sha256(std::string(32, static_cast<char>('a' + i)));
  return m;
}

Errc ParseError(const wire::Manifest& m) {
  std::string bytes = SerializeManifest(m);
  auto r = ParseManifest(crypto::AsBytes(bytes));
  return r.ok() ? Errc::kOk : r.error().code();
}

TEST(ParseManifest, AcceptsAConsistentManifest) { EXPECT_EQ(ParseError(ValidManifest()), Errc::kOk); }

TEST(ParseManifest, RejectsBytesThatAreNotAManifest) {
  std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01 definitely not protobuf";
  EXPECT_EQ(ParseManifest(crypto::AsBytes(garbage)).error().code(), Errc::kCorrupt);
  EXPECT_FALSE(ParseManifest({}).ok());  // parses as an empty message: no artifact
}

TEST(ParseManifest, RejectsMoreBytesThanTheLimit) {
  std::string bytes = SerializeManifest(ValidManifest());
  EXPECT_TRUE(ParseManifest(crypto::AsBytes(bytes), bytes.size()).ok());
  EXPECT_FALSE(ParseManifest(crypto::AsBytes(bytes), bytes.size() - 1).ok());
}

TEST(ParseManifest, RejectsAnArtifactHashThatIsNot32Bytes) {
  wire::Manifest m = ValidManifest();
  m.mutable_artifact()->set_sha256(std::string(31, 'h'));
  EXPECT_EQ(ParseError(m), Errc::kCorrupt);
  m.clear_artifact();
  EXPECT_EQ(ParseError(m), Errc::kCorrupt);
}

TEST(ParseManifest, RejectsBlockSizesOutsidePowersOfTwoFrom64KiBTo64MiB) {
  for (uint32_t bad : {0u, 1u, 32u * 1024, 256u * 1024 + 1, 3u * 128 * 1024, 128u * 1024 * 1024, UINT32_MAX}) {
    wire::Manifest m = ValidManifest();
    m.set_block_size(bad);
    EXPECT_EQ(ParseError(m), Errc::kCorrupt) << "block size " << bad;
  }
}

TEST(ParseManifest, RejectsABlockCountThatDoesNotMatchTheSize) {
  wire::Manifest fewer = ValidManifest();
  fewer.mutable_block_sha256()->RemoveLast();
  EXPECT_EQ(ParseError(fewer), Errc::kCorrupt);
  wire::Manifest more = ValidManifest();
  more.add_block_sha256(std::string(32, 'z'));
  EXPECT_EQ(ParseError(more), Errc::kCorrupt);
  wire::Manifest huge = ValidManifest();
  huge.set_size(UINT64_MAX);  // would need 2^46 blocks; must not overflow or allocate
  EXPECT_EQ(ParseError(huge), Errc::kCorrupt);
}

TEST(ParseManifest, RejectsABlockHashThatIsNot32Bytes) {
  wire::Manifest m = ValidManifest();
  m.set_block_sha256(1, std::string(33, 'b'));
  EXPECT_EQ(ParseError(m), Errc::kCorrupt);
  m.set_block_sha256(1, "");
  EXPECT_EQ(ParseError(m), Errc::kCorrupt);
}

TEST(ParseManifest, NeverCrashesOnTruncatedOrBitFlippedInput) {
  google::protobuf::LogSilencer quiet;  // flipped bits make invalid UTF-8, which protobuf logs
  wire::Manifest m = ValidManifest();
  m.clear_kind();  // so the block hashes are the last field and every prefix loses some
  const std::string good = SerializeManifest(m);
  int accepted = 0;
  for (std::size_t len = 0; len < good.size(); ++len) {
    accepted += ParseManifest(crypto::AsBytes(std::string_view(good).substr(0, len))).ok();
  }
  EXPECT_EQ(accepted, 0) << "a truncated manifest lost its trailing block hashes and must fail";
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = good;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      auto r = ParseManifest(crypto::AsBytes(flipped));
      if (r.ok()) {
        EXPECT_EQ(r->block_sha256_size(), static_cast<int>(BlockCount(r->size(), r->block_size())));
      }
    }
  }
}

}  // namespace
}  // namespace nxt::artifact
