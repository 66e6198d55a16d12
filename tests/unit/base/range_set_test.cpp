#include "base/range_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace nxt {
namespace {

TEST(ARangeSet, MergesAdjacentAndOverlappingIntervals) {
  RangeSet s;
  EXPECT_EQ(s.Add(0, 10), 10u);
  EXPECT_EQ(s.Add(10, 20), 10u);
  EXPECT_EQ(s.Add(5, 25), 5u);
  EXPECT_EQ(s.intervals(), 1u);
  EXPECT_EQ(s.count(), 25u);
  EXPECT_EQ(s.ToVector(), (std::vector<Interval>{{0, 25}}));
}

TEST(ARangeSet, ReportsMissingIntervalsWithinABound) {
  RangeSet s;
  s.Add(2, 4);
  s.Add(6, 7);
  EXPECT_EQ(s.Missing(0, 10), (std::vector<Interval>{{0, 2}, {4, 6}, {7, 10}}));
  EXPECT_EQ(s.Missing(0, 10, 2), (std::vector<Interval>{{0, 2}, {4, 6}}));
  EXPECT_EQ(s.Missing(3, 6), (std::vector<Interval>{{4, 6}}));
  EXPECT_TRUE(s.Missing(2, 4).empty());
}

TEST(ARangeSet, RemovesFromTheMiddleOfAnInterval) {
  RangeSet s;
  s.Add(0, 100);
  EXPECT_EQ(s.Remove(40, 60), 20u);
  EXPECT_EQ(s.count(), 80u);
  EXPECT_FALSE(s.Contains(50));
  EXPECT_TRUE(s.Contains(39));
  EXPECT_TRUE(s.Contains(60));
  EXPECT_TRUE(s.ContainsAll(0, 40));
  EXPECT_FALSE(s.ContainsAll(30, 70));
  EXPECT_EQ(s.FirstMissingFrom(0), 0u + 40);
  EXPECT_EQ(s.FirstMissingFrom(70), 100u);
}

TEST(ARangeSet, AgreesWithAPlainSetUnderRandomOperations) {
  std::mt19937_64 rng(42);
  RangeSet s;
  std::set<uint64_t> ref;
  for (int i = 0; i < 5000; ++i) {
    uint64_t b = rng() % 300, e = b + rng() % 20;
    if (rng() % 3 == 0) {
      uint64_t n = 0;
      for (uint64_t v = b; v < e; ++v) n += ref.erase(v);
      EXPECT_EQ(s.Remove(b, e), n);
    } else {
      uint64_t n = 0;
      for (uint64_t v = b; v < e; ++v) n += ref.insert(v).second;
      EXPECT_EQ(s.Add(b, e), n);
    }
    ASSERT_EQ(s.count(), ref.size());
  }
  for (uint64_t v = 0; v < 330; ++v) EXPECT_EQ(s.Contains(v), ref.count(v) == 1) << v;
}

}  // namespace
}  // namespace nxt
