#include "client/activation_policy.h"

#include <gtest/gtest.h>

namespace nxt::client {
namespace {

constexpr uint64_t kMin = 60'000;  // ms

uint64_t At(uint32_t h, uint32_t m) { return (uint64_t{h} * 60 + m) * kMin; }

TEST(AnActivationPolicy, ParsesTheThreeForms) {
  EXPECT_EQ(ParseActivationPolicy("immediate")->kind, ActivationPolicy::Kind::kImmediate);
  EXPECT_EQ(ParseActivationPolicy("manual")->kind, ActivationPolicy::Kind::kManual);
  auto w = ParseActivationPolicy("window 22:00-04:30");
  ASSERT_TRUE(w.ok()) << w.error().message();
  EXPECT_EQ(w->kind, ActivationPolicy::Kind::kWindow);
  EXPECT_EQ(w->start_min, 22u * 60);
  EXPECT_EQ(w->end_min, 4u * 60 + 30);
  EXPECT_EQ(w->ToString(), "window 22:00-04:30");
}

TEST(AnActivationPolicy, RefusesWhatItCannotRead) {
  for (const char* bad : {"", "later", "window", "window 2:00-3:00", "window 24:00-01:00", "window 01:60-02:00",
                          "window 01:00-01:00", "window 01:00 02:00", "window aa:bb-cc:dd"})
    EXPECT_FALSE(ParseActivationPolicy(bad).ok()) << bad;
}

TEST(AnActivationPolicy, OnlyTheNonImmediateOnesStageEverything) {
  EXPECT_FALSE(ParseActivationPolicy("immediate")->stages_everything());
  EXPECT_TRUE(ParseActivationPolicy("manual")->stages_everything());
  EXPECT_TRUE(ParseActivationPolicy("window 02:00-03:00")->stages_everything());
}

TEST(AWindow, IsOpenFromItsStartUpToButNotIncludingItsEnd) {
  auto w = *ParseActivationPolicy("window 02:00-03:00");
  EXPECT_FALSE(w.InWindow(At(1, 59)));
  EXPECT_TRUE(w.InWindow(At(2, 0)));
  EXPECT_TRUE(w.InWindow(At(2, 59)));
  EXPECT_FALSE(w.InWindow(At(3, 0)));
}

TEST(AWindow, MayCrossMidnight) {
  auto w = *ParseActivationPolicy("window 23:30-00:30");
  EXPECT_TRUE(w.InWindow(At(23, 45)));
  EXPECT_TRUE(w.InWindow(At(0, 15)));
  EXPECT_FALSE(w.InWindow(At(12, 0)));
  EXPECT_EQ(w.MsUntilOpen(At(0, 30)), 23 * 60 * kMin);
}

TEST(AWindow, SaysHowLongUntilItOpens) {
  auto w = *ParseActivationPolicy("window 02:00-03:00");
  EXPECT_EQ(w.MsUntilOpen(At(1, 59)), kMin);
  EXPECT_EQ(w.MsUntilOpen(At(2, 30)), 0u);
  EXPECT_EQ(w.MsUntilOpen(At(3, 0)), 23 * 60 * kMin);  // tomorrow
}

TEST(ImmediateAndManual, HaveNoWindow) {
  EXPECT_FALSE(ParseActivationPolicy("manual")->InWindow(At(2, 0)));
  EXPECT_FALSE(ParseActivationPolicy("immediate")->InWindow(At(2, 0)));
}

}  // namespace
}  // namespace nxt::client
