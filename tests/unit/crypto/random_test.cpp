#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace nxt::crypto {
namespace {

TEST(RandomBytes, FillsTheBufferWithFreshBytesEachCall) {
  std::vector<uint8_t> a(32), b(32);
  ASSERT_TRUE(RandomBytes(a).ok());
  ASSERT_TRUE(RandomBytes(b).ok());
  EXPECT_NE(a, b);
  EXPECT_NE(a, std::vector<uint8_t>(32, 0));
}

TEST(RandomBytes, FillsTheTailOfABufferLargerThanOneStep) {
  std::vector<uint8_t> big((3 << 20) + 17, 0);  // 3 MiB + 17: several 1 MiB steps and a partial one
  ASSERT_TRUE(RandomBytes(big).ok());
  auto tail = std::span(big).last(64);
  EXPECT_GT(std::count_if(tail.begin(), tail.end(), [](uint8_t b) { return b != 0; }), 32);
}

TEST(RandomBytes, AcceptsAnEmptyBuffer) { EXPECT_TRUE(RandomBytes({}).ok()); }

}  // namespace
}  // namespace nxt::crypto
