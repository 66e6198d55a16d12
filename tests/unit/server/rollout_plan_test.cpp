#include "server/rollout_plan.h"

#include <gtest/gtest.h>

namespace nxt::server {
namespace {

std::vector<std::string> Hosts(int n) {
  std::vector<std::string> h;
  for (int i = 1; i <= n; ++i) h.push_back("h" + std::to_string(i));
  return h;
}

TEST(ParseAmount, ReadsCountsAndPercentages) {
  EXPECT_EQ(ParseAmount("3", 1)->value, 3u);
  EXPECT_FALSE(ParseAmount("3", 1)->percent);
  EXPECT_EQ(ParseAmount("10%", 1)->value, 10u);
  EXPECT_TRUE(ParseAmount("10%", 1)->percent);
  EXPECT_EQ(ParseAmount("0", 0)->value, 0u);
}

TEST(ParseAmount, RefusesNonsense) {
  for (const char* bad : {"", "%", "0", "-1", "3x", "0%", "101%", "1.5"})
    EXPECT_FALSE(ParseAmount(bad, 1).ok()) << bad;
}

TEST(PlanWaves, SplitsByCountWithASmallerLastWave) {
  auto w = PlanWaves(Hosts(5), *ParseAmount("2", 1));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(w[2], (std::vector<std::string>{"h5"}));
}

TEST(PlanWaves, RoundsAPercentageUpToAtLeastOneHost) {
  EXPECT_EQ(PlanWaves(Hosts(6), *ParseAmount("10%", 1)).size(), 6u);   // 0.6 -> 1 host per wave
  EXPECT_EQ(PlanWaves(Hosts(6), *ParseAmount("50%", 1)).size(), 2u);
  EXPECT_EQ(PlanWaves(Hosts(6), *ParseAmount("100%", 1)).size(), 1u);
}

TEST(PlanWaves, KeepsEveryHostExactlyOnceInOrder) {
  std::vector<std::string> all;
  for (const auto& wave : PlanWaves(Hosts(7), *ParseAmount("3", 1))) all.insert(all.end(), wave.begin(), wave.end());
  EXPECT_EQ(all, Hosts(7));
}

TEST(ExceedsFailures, HaltsOnlyAboveTheThreshold) {
  EXPECT_FALSE(ExceedsFailures(0, 2, *ParseAmount("0", 0)));
  EXPECT_TRUE(ExceedsFailures(1, 2, *ParseAmount("0", 0)));
  EXPECT_FALSE(ExceedsFailures(1, 2, *ParseAmount("1", 0)));
  EXPECT_TRUE(ExceedsFailures(2, 2, *ParseAmount("1", 0)));
  EXPECT_FALSE(ExceedsFailures(1, 4, *ParseAmount("25%", 0)));
  EXPECT_TRUE(ExceedsFailures(2, 4, *ParseAmount("25%", 0)));
}

}  // namespace
}  // namespace nxt::server
