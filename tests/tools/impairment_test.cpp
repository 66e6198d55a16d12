#include "impairment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nxt::impair {
namespace {

bool Same(const Decision& a, const Decision& b) {
  return a.drop == b.drop && a.duplicate == b.duplicate && a.reorder == b.reorder &&
         a.corrupt == b.corrupt && a.corrupt_byte == b.corrupt_byte &&
         a.corrupt_mask == b.corrupt_mask && a.jitter_us == b.jitter_us;
}

ImpairmentSpec Everything() {
  ImpairmentSpec s;
  s.loss = 0.2;
  s.dup = 0.1;
  s.reorder = 0.1;
  s.corrupt = 0.1;
  s.jitter_us = 2000;
  return s;
}

TEST(AnImpairment, MakesTheSameDecisionsForTheSameSeed) {
  Impairment a(Everything(), 7), b(Everything(), 7), c(Everything(), 8);
  int differs_from_other_seed = 0;
  for (int i = 0; i < 1000; ++i) {
    Decision da = a.Decide(1200), db = b.Decide(1200), dc = c.Decide(1200);
    ASSERT_TRUE(Same(da, db)) << i;
    differs_from_other_seed += Same(da, dc) ? 0 : 1;
  }
  EXPECT_GT(differs_from_other_seed, 500);
}

TEST(AnImpairment, DropsDuplicatesAndCorruptsAtTheConfiguredRates) {
  Impairment imp(Everything(), 1);
  int drop = 0, dup = 0, reorder = 0, corrupt = 0;
  constexpr int kN = 50000;
  for (int i = 0; i < kN; ++i) {
    Decision d = imp.Decide(100);
    drop += d.drop;
    dup += d.duplicate;
    reorder += d.reorder;
    corrupt += d.corrupt;
    EXPECT_GE(d.jitter_us, -2000);
    EXPECT_LE(d.jitter_us, 2000);
  }
  EXPECT_NEAR(drop / double(kN), 0.2, 0.01);
  EXPECT_NEAR(dup / double(kN), 0.1, 0.01);
  EXPECT_NEAR(reorder / double(kN), 0.1, 0.01);
  EXPECT_NEAR(corrupt / double(kN), 0.1, 0.01);
}

TEST(AnImpairment, NeverActsAtZeroAndAlwaysAtOne) {
  Impairment none(ImpairmentSpec{}, 3);
  ImpairmentSpec all;
  all.loss = all.dup = all.reorder = all.corrupt = 1.0;
  Impairment every(all, 3);
  for (int i = 0; i < 1000; ++i) {
    Decision n = none.Decide(10), e = every.Decide(10);
    EXPECT_FALSE(n.drop || n.duplicate || n.reorder || n.corrupt || n.jitter_us != 0);
    EXPECT_TRUE(e.drop && e.duplicate && e.reorder && e.corrupt);
    EXPECT_LT(e.corrupt_byte, 10u);
    EXPECT_EQ(__builtin_popcount(e.corrupt_mask), 1);
  }
}

TEST(AnImpairment, KeepsOtherDecisionsWhenOneProbabilityChanges) {
  ImpairmentSpec lossy = Everything();
  lossy.loss = 0.9;
  Impairment a(Everything(), 5), b(lossy, 5);
  for (int i = 0; i < 1000; ++i) {
    Decision da = a.Decide(64), db = b.Decide(64);
    EXPECT_EQ(da.duplicate, db.duplicate);
    EXPECT_EQ(da.corrupt_byte, db.corrupt_byte);
  }
}

Packet P(uint8_t tag, size_t size = 100) { return Packet{0, std::vector<uint8_t>(size, tag)}; }

std::vector<uint8_t> Tags(const std::vector<Packet>& ps) {
  std::vector<uint8_t> tags;
  for (const auto& p : ps) tags.push_back(p.bytes.at(0));
  return tags;
}

TEST(AnImpairedLink, DeliversAfterTheConfiguredDelayAndNotBefore) {
  ImpairmentSpec s;
  s.delay_us = 5000;
  ImpairedLink link(s, 1);
  link.Submit(1000, P(1));
  EXPECT_EQ(link.NextDueUs(), 6000u);
  std::vector<Packet> out;
  link.TakeDue(5999, out);
  EXPECT_TRUE(out.empty());
  link.TakeDue(6000, out);
  EXPECT_EQ(Tags(out), std::vector<uint8_t>{1});
  EXPECT_EQ(link.NextDueUs(), kNever);
  EXPECT_EQ(link.stats().forwarded, 1u);
}

TEST(AnImpairedLink, SpacesDatagramsByTheRateLimit) {
  ImpairmentSpec s;
  s.rate_mbit = 1;  // 1250 B = 10000 bits = 10 ms at 1 Mbit/s
  ImpairedLink link(s, 1);
  for (uint8_t i = 1; i <= 3; ++i) link.Submit(0, P(i, 1250));
  std::vector<Packet> out;
  link.TakeDue(9999, out);
  EXPECT_TRUE(out.empty());
  link.TakeDue(10000, out);
  EXPECT_EQ(out.size(), 1u);
  link.TakeDue(29999, out);
  EXPECT_EQ(out.size(), 2u);
  link.TakeDue(30000, out);
  EXPECT_EQ(Tags(out), (std::vector<uint8_t>{1, 2, 3}));
}

TEST(AnImpairedLink, LetsTheNextDatagramOvertakeAReorderedOne) {
  ImpairmentSpec s;
  s.reorder = 1.0;
  ImpairedLink link(s, 1);
  link.Submit(0, P(1));  // held
  link.Submit(0, P(2));  // overtakes 1 (only one is held at a time)
  link.Submit(0, P(3));  // held, nothing comes: released after the hold time
  std::vector<Packet> out;
  link.TakeDue(0, out);
  EXPECT_EQ(Tags(out), (std::vector<uint8_t>{2, 1}));
  EXPECT_EQ(link.NextDueUs(), s.reorder_hold_us);
  link.TakeDue(s.reorder_hold_us, out);
  EXPECT_EQ(Tags(out), (std::vector<uint8_t>{2, 1, 3}));
  EXPECT_EQ(link.stats().reordered, 1u);
}

TEST(AnImpairedLink, DuplicatesCorruptsAndDrops) {
  ImpairmentSpec dup;
  dup.dup = 1.0;
  ImpairedLink d(dup, 1);
  d.Submit(0, P(1));
  std::vector<Packet> out;
  d.TakeDue(0, out);
  EXPECT_EQ(Tags(out), (std::vector<uint8_t>{1, 1}));

  ImpairmentSpec cor;
  cor.corrupt = 1.0;
  ImpairedLink c(cor, 1);
  c.Submit(0, P(0, 50));
  out.clear();
  c.TakeDue(0, out);
  ASSERT_EQ(out.size(), 1u);
  int bits = 0;
  for (uint8_t b : out[0].bytes) bits += __builtin_popcount(b);
  EXPECT_EQ(bits, 1) << "exactly one bit flipped";

  ImpairmentSpec loss;
  loss.loss = 1.0;
  ImpairedLink l(loss, 1);
  l.Submit(0, P(1));
  EXPECT_EQ(l.pending(), 0u);
  EXPECT_EQ(l.stats().dropped, 1u);
}

TEST(AnImpairedLink, DropsEverythingDuringABlackout) {
  ImpairedLink link(ImpairmentSpec{}, 1);
  link.SetBlackout(true);
  link.Submit(0, P(1));
  link.SetBlackout(false);
  link.Submit(0, P(2));
  std::vector<Packet> out;
  link.TakeDue(0, out);
  EXPECT_EQ(Tags(out), std::vector<uint8_t>{2});
  EXPECT_EQ(link.stats().blackout_dropped, 1u);
  EXPECT_EQ(link.stats().received, 2u);
}

TEST(AnImpairedLink, LosesDatagramsInBurstsOfTheConfiguredMeanLength) {
  ImpairmentSpec s;
  s.burst = 0.01;
  s.burst_len = 20;
  ImpairedLink link(s, 3);
  std::vector<bool> lost;
  for (int i = 0; i < 100000; ++i) {
    uint64_t before = link.stats().burst_dropped;
    link.Submit(0, P(1));
    lost.push_back(link.stats().burst_dropped > before);
  }
  uint64_t bursts = 0;
  for (size_t i = 0; i < lost.size(); ++i) bursts += lost[i] && (i == 0 || !lost[i - 1]);
  ASSERT_GT(bursts, 0u);
  double mean = static_cast<double>(link.stats().burst_dropped) / static_cast<double>(bursts);
  EXPECT_NEAR(mean, 20.0, 3.0);
  EXPECT_EQ(link.stats().dropped, 0u);  // random loss is off: every loss was a burst's
}

TEST(AnImpairedLink, KeepsEveryOtherDecisionOfASeedWhenBurstsAreOff) {
  ImpairmentSpec s;
  s.loss = 0.3;
  ImpairedLink plain(s, 5);
  s.burst = 0;
  s.burst_len = 50;
  ImpairedLink with_len(s, 5);
  for (uint8_t i = 0; i < 100; ++i) {
    plain.Submit(0, P(i));
    with_len.Submit(0, P(i));
  }
  EXPECT_EQ(plain.stats().dropped, with_len.stats().dropped);
  EXPECT_EQ(with_len.stats().burst_dropped, 0u);
}

TEST(AnImpairedLink, TailDropsBeyondItsQueueLimit) {
  ImpairmentSpec s;
  s.delay_us = kUsPerSec;
  s.queue_limit = 2;
  ImpairedLink link(s, 1);
  for (uint8_t i = 0; i < 5; ++i) link.Submit(0, P(i));
  EXPECT_EQ(link.pending(), 2u);
  EXPECT_EQ(link.stats().queue_dropped, 3u);
}

TEST(AnImpairedLink, KeepsOrderUnderJitter) {
  ImpairmentSpec s;
  s.delay_us = 5000;
  s.jitter_us = 5000;
  ImpairedLink link(s, 9);
  for (uint8_t i = 0; i < 200; ++i) link.Submit(i * 100, P(i));
  std::vector<Packet> out;
  link.TakeDue(kNever - 1, out);
  ASSERT_EQ(out.size(), 200u);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].bytes[0], i);
}

TEST(AnImpairedLink, GivesTheSameOutputForTheSameSeedAndInput) {
  auto run = [](uint64_t seed) {
    ImpairmentSpec s = Everything();
    s.delay_us = 1000;
    ImpairedLink link(s, seed);
    std::vector<Packet> out;
    for (int i = 0; i < 500; ++i) {
      link.Submit(i * 50, P(static_cast<uint8_t>(i)));
      link.TakeDue(i * 50, out);
    }
    link.TakeDue(kNever - 1, out);
    std::string flat;
    for (const auto& p : out) flat.append(p.bytes.begin(), p.bytes.end());
    return flat;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

}  // namespace
}  // namespace nxt::impair
