#include "transfer/geometry.h"

#include <gtest/gtest.h>

#include <vector>

namespace nxt::transfer {
namespace {

TEST(AGeometry, CoversEveryByteExactlyOnceWithoutStraddlingBlocks) {
  for (uint64_t size : {0ULL, 1ULL, 1099ULL, 1100ULL, 262144ULL, 262145ULL, 1000000ULL}) {
    auto g = Geometry::Make(3000, size, 262144, 1100);
    ASSERT_TRUE(g.ok());
    std::vector<uint8_t> payload(size, 0), manifest(3000, 0);
    for (uint64_t i = 0; i < g->total_chunks(); ++i) {
      ChunkSpan s = g->Locate(i);
      ASSERT_GT(s.length, 0u);
      auto& buf = s.manifest ? manifest : payload;
      ASSERT_LE(s.offset + s.length, buf.size());
      if (!s.manifest) {
        EXPECT_EQ(s.offset / 262144, s.block);
        EXPECT_EQ((s.offset + s.length - 1) / 262144, s.block) << "chunk " << i << " straddles a block";
      }
      for (uint64_t b = s.offset; b < s.offset + s.length; ++b) ++buf[b];
    }
    for (uint8_t c : payload) ASSERT_EQ(c, 1);
    for (uint8_t c : manifest) ASSERT_EQ(c, 1);
  }
}

TEST(AGeometry, MapsABlockToItsChunkRange) {
  auto g = Geometry::Make(100, 3 * 4096 + 10, 4096, 1000);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->manifest_chunks(), 1u);
  EXPECT_EQ(g->chunks_per_block(), 5u);
  EXPECT_EQ(g->blocks(), 4u);
  EXPECT_EQ(g->BlockChunks(0), (std::pair<uint64_t, uint64_t>{1, 6}));
  EXPECT_EQ(g->BlockChunks(3), (std::pair<uint64_t, uint64_t>{16, 17}));
  EXPECT_EQ(g->total_chunks(), 17u);
  EXPECT_EQ(g->BlockLength(3), 10u);
}

TEST(AGeometry, RefusesSizesAPeerShouldNeverAnnounce) {
  EXPECT_FALSE(Geometry::Make(100, 1000, 4096, 10).ok());          // tiny chunks
  EXPECT_FALSE(Geometry::Make(100, 1000, 512, 1000).ok());         // block < chunk
  EXPECT_FALSE(Geometry::Make(0, 1000, 4096, 1000).ok());          // no manifest
  EXPECT_FALSE(Geometry::Make(100, 1ULL << 50, 4096, 1000).ok());  // absurd payload
  EXPECT_FALSE(Geometry::Make(100, 1000, 4096, 70000).ok());       // bigger than a datagram
}

}  // namespace
}  // namespace nxt::transfer
