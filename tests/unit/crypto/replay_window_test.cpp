#include "crypto/replay_window.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>

#include "test_bytes.h"

namespace nxt::crypto {
namespace {

// Check-then-Accept, as a receiver does after authenticating the datagram.
bool Receive(ReplayWindow& w, uint64_t seq) {
  if (!w.Check(seq)) return false;
  w.Accept(seq);
  return true;
}

TEST(AReplayWindow, AcceptsEachSequenceNumberOnce) {
  ReplayWindow w;
  for (uint64_t s = 1; s <= 3000; ++s) ASSERT_TRUE(Receive(w, s)) << s;
  for (uint64_t s = 2000; s <= 3000; ++s) EXPECT_FALSE(Receive(w, s)) << s;
  EXPECT_EQ(w.Highest(), 3000u);
}

TEST(AReplayWindow, NeverAcceptsSequenceNumberZero) {
  ReplayWindow w;
  EXPECT_FALSE(w.Check(0));
  w.Accept(0);
  EXPECT_EQ(w.Highest(), 0u);
  EXPECT_TRUE(Receive(w, 5));
  EXPECT_FALSE(w.Check(0));
}

TEST(AReplayWindow, ChecksWithoutRememberingUntilAccepted) {
  ReplayWindow w;
  EXPECT_TRUE(w.Check(7));
  EXPECT_TRUE(w.Check(7));  // a forged datagram that failed authentication leaves no trace
  w.Accept(7);
  EXPECT_FALSE(w.Check(7));
}

TEST(AReplayWindow, AcceptsReorderedDatagramsInsideTheWindowOnce) {
  ReplayWindow w;
  ASSERT_TRUE(Receive(w, 100));
  EXPECT_TRUE(Receive(w, 98));
  EXPECT_TRUE(Receive(w, 99));
  EXPECT_FALSE(Receive(w, 98));
  EXPECT_TRUE(Receive(w, 1));
  EXPECT_EQ(w.Highest(), 100u);
}

TEST(AReplayWindow, DropsNumbersOlderThanTheWindowExactlyAtItsEdge) {
  ReplayWindow w;
  ASSERT_TRUE(Receive(w, 2000));
  EXPECT_TRUE(w.Check(2000 - ReplayWindow::kSize + 1));  // the oldest still tracked
  EXPECT_FALSE(w.Check(2000 - ReplayWindow::kSize));
  w.Accept(2000 - ReplayWindow::kSize);  // ignored: Check refuses it
  EXPECT_EQ(w.Highest(), 2000u);
  EXPECT_FALSE(w.Check(1));
}

TEST(AReplayWindow, ForgetsOldMarksWhenItSlidesSoTheirSlotsDoNotLookSeen) {
  constexpr uint64_t k = ReplayWindow::kSize;
  ReplayWindow w;
  for (uint64_t s = 1; s <= k; ++s) ASSERT_TRUE(Receive(w, s));
  ASSERT_TRUE(Receive(w, 2 * k - 1));  // slides by k - 1: over every slot but one, word by word
  for (uint64_t s = k + 1; s < 2 * k - 1; ++s) {
    ASSERT_TRUE(w.Check(s)) << s;  // shares a slot with s - k, which was seen
    w.Accept(s);
  }
  ASSERT_TRUE(Receive(w, 2 * k + 70));  // a short slide across a 64-bit word boundary
  for (uint64_t s = 2 * k; s < 2 * k + 70; ++s) ASSERT_TRUE(w.Check(s)) << s;
  EXPECT_FALSE(w.Check(2 * k - 1));
  EXPECT_FALSE(w.Check(k + 71));
}

TEST(AReplayWindow, SurvivesAFarJumpAndTheLargestSequenceNumber) {
  ReplayWindow w;
  ASSERT_TRUE(Receive(w, 5));
  ASSERT_TRUE(Receive(w, 1'000'000));
  EXPECT_FALSE(w.Check(5));
  EXPECT_TRUE(Receive(w, 999'000));
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  ASSERT_TRUE(Receive(w, kMax - 3));
  ASSERT_TRUE(Receive(w, kMax));  // must not loop forever on wrap-around
  EXPECT_TRUE(Receive(w, kMax - 1));
  EXPECT_FALSE(Receive(w, kMax - 3));
  EXPECT_FALSE(Receive(w, kMax));
  EXPECT_FALSE(w.Check(1'000'000));
}

// The window against a model: a set of every accepted number plus the rule.
TEST(AReplayWindow, AgreesWithAReferenceModelOnRandomTraffic) {
  testing::Garbage g;
  ReplayWindow w;
  std::set<uint64_t> seen;
  uint64_t highest = 0;
  uint64_t base = 1;
  for (int i = 0; i < 200'000; ++i) {
    // Mostly near the front, sometimes old, sometimes a jump.
    std::size_t kind = g.Below(100);
    if (kind < 2) base += g.Below(3 * ReplayWindow::kSize);
    uint64_t seq = base + g.Below(2 * ReplayWindow::kSize);
    if (kind == 3 && seq > 1500) seq -= 1500;
    bool expected = seq != 0 && !seen.count(seq) && (seq > highest || highest - seq < ReplayWindow::kSize);
    ASSERT_EQ(w.Check(seq), expected) << "op " << i << " seq " << seq << " highest " << highest;
    if (expected && g.Below(4) != 0) {  // a quarter fail authentication and are never accepted
      w.Accept(seq);
      seen.insert(seq);
      highest = std::max(highest, seq);
      ASSERT_EQ(w.Highest(), highest);
    }
    base = std::max(base, highest > ReplayWindow::kSize ? highest - ReplayWindow::kSize : 1);
  }
}

}  // namespace
}  // namespace nxt::crypto
