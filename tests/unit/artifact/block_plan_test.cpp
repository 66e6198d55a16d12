#include "artifact/block_plan.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "artifact/manifest.h"

namespace nxt::artifact {
namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;

TEST(ABlockPlan, UsesQuarterMebibyteBlocksUpToFourThousandBlocks) {
  struct Row {
    uint64_t size;
    uint64_t block_size;
  };
  const Row table[] = {
      {0, 256 * KiB},
      {1, 256 * KiB},
      {5 * MiB, 256 * KiB},
      {1 * GiB, 256 * KiB},          // exactly 4096 blocks
      {1 * GiB + 1, 512 * KiB},      // 4097 blocks of 256 KiB: double
      {2 * GiB, 512 * KiB},
      {2 * GiB + 1, 1 * MiB},
      {100 * GiB, 32 * MiB},
      {256 * GiB, 64 * MiB},         // the largest planned payload
      {256 * GiB + 1, 64 * MiB},     // capped: never above 64 MiB
      {UINT64_MAX, 64 * MiB},
  };
  for (const Row& row : table) {
    EXPECT_EQ(BlockSizeFor(row.size), row.block_size) << "size " << row.size;
    if (row.size <= kMaxPlannedSize) {
      EXPECT_LE(BlockCount(row.size, BlockSizeFor(row.size)), kMaxPlannedBlocks) << "size " << row.size;
    }
  }
}

TEST(ABlockCount, RoundsUpAndNeverOverflows) {
  EXPECT_EQ(BlockCount(0, 256 * KiB), 0u);
  EXPECT_EQ(BlockCount(1, 256 * KiB), 1u);
  EXPECT_EQ(BlockCount(256 * KiB, 256 * KiB), 1u);
  EXPECT_EQ(BlockCount(256 * KiB + 1, 256 * KiB), 2u);
  EXPECT_EQ(BlockCount(UINT64_MAX, 64 * MiB), uint64_t{1} << 38);
}

TEST(ABlockSize, IsValidOnlyAsAPowerOfTwoBetween64KiBAnd64MiB) {
  EXPECT_TRUE(IsValidBlockSize(64 * KiB));
  EXPECT_TRUE(IsValidBlockSize(256 * KiB));
  EXPECT_TRUE(IsValidBlockSize(64 * MiB));
  EXPECT_FALSE(IsValidBlockSize(0));
  EXPECT_FALSE(IsValidBlockSize(32 * KiB));
  EXPECT_FALSE(IsValidBlockSize(128 * MiB));
  EXPECT_FALSE(IsValidBlockSize(256 * KiB + 1));
  EXPECT_FALSE(IsValidBlockSize(3 * 256 * KiB));
}

TEST(ABlockPlan, KeepsTheLargestManifestUnderItsByteLimit) {
  wire::Manifest m;
  m.mutable_artifact()->set_name(std::string(64, 'n'));
  m.mutable_artifact()->set_product(std::string(64, 'p'));
  m.mutable_artifact()->set_platform(std::string(64, 'x'));
  m.mutable_artifact()->set_major(UINT32_MAX);
  m.mutable_artifact()->set_minor(UINT32_MAX);
  m.mutable_artifact()->set_sha256(std::string(32, '\xff'));
  m.set_size(kMaxPlannedSize);
  m.set_block_size(BlockSizeFor(kMaxPlannedSize));
  m.set_kind("plugin");
  m.set_created_unix_s(UINT64_MAX);
  for (uint64_t i = 0; i < kMaxPlannedBlocks; ++i) m.add_block_sha256(std::string(32, '\xff'));
  std::string bytes = SerializeManifest(m);
  EXPECT_LE(bytes.size(), 140 * KiB);
  EXPECT_TRUE(ParseManifest(crypto::AsBytes(bytes)).ok());
}

}  // namespace
}  // namespace nxt::artifact
