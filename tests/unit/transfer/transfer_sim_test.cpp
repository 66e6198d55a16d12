// Whole transfers over the simulated link: the sender and receiver state
// machines must deliver a byte-identical payload under loss, duplication,
// reordering, corruption and a host restart, on a fake clock.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sim_link.h"

namespace nxt::transfer::sim {
namespace {

constexpr TimeUs kMinute = 60 * kUsPerSec;

Impairment Lossy(double loss) {
  Impairment i;
  i.loss = loss;
  i.delay = 2 * kUsPerMs;
  i.rate_bps = 12.5e6;  // 100 Mbit/s
  return i;
}

TEST(ATransfer, DeliversAnIdenticalPayloadOverACleanLink) {
  Harness h(2 << 20, Lossy(0), Lossy(0), 1);
  Result r = h.Run(kMinute);
  ASSERT_TRUE(r.installed) << r.failure;
  EXPECT_EQ(h.received_payload(), h.payload());
  EXPECT_EQ(r.progress.retransmitted, 0u);
  EXPECT_EQ(r.progress.payload_bytes_acked, uint64_t{2} << 20);
}

class ATransferUnderLoss : public ::testing::TestWithParam<double> {};

TEST_P(ATransferUnderLoss, StillDeliversTheExactPayload) {
  Impairment fwd = Lossy(GetParam()), back = Lossy(GetParam());
  fwd.dup = back.dup = 0.02;
  fwd.jitter = back.jitter = 3 * kUsPerMs;  // reorders
  Harness h(1 << 20, fwd, back, 7);
  Result r = h.Run(10 * kMinute);
  ASSERT_TRUE(r.installed) << SenderStateName(r.state) << ": " << r.failure;
  EXPECT_EQ(h.received_payload(), h.payload());
  if (GetParam() > 0) {
    EXPECT_GT(r.progress.retransmitted, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Loss, ATransferUnderLoss, ::testing::Values(0.0, 0.10, 0.30));

TEST(ATransfer, RefetchesBlocksThatArriveCorrupted) {
  Impairment fwd = Lossy(0.01);
  fwd.corrupt = 0.02;
  Harness h(1 << 20, fwd, Lossy(0.01), 11);
  Result r = h.Run(10 * kMinute);
  ASSERT_TRUE(r.installed) << r.failure;
  EXPECT_EQ(h.received_payload(), h.payload());
  EXPECT_GT(r.corrupt_blocks + r.rx_malformed, 0u) << "the test did not corrupt anything";
}

TEST(ATransfer, ResumesFromWhatTheHostAlreadyHolds) {
  Harness h(1 << 20, Lossy(0), Lossy(0), 3);
  auto g = Geometry::Make(2500, 1 << 20, 64 * 1024, 1100);
  uint64_t half = g->total_chunks() / 2;
  h.PreloadHost(0, half);
  Result r = h.Run(kMinute);
  ASSERT_TRUE(r.installed) << r.failure;
  EXPECT_EQ(h.received_payload(), h.payload());
  EXPECT_EQ(r.progress.sent, g->total_chunks() - half) << "resent chunks the host already had";
}

TEST(ATransfer, CompletesAfterTheHostRestartsMidway) {
  Harness h(2 << 20, Lossy(0.01), Lossy(0.01), 5);
  h.RestartHostAt(h.clock().NowUs() + 50 * kUsPerMs, 2 * kUsPerSec);
  Result r = h.Run(5 * kMinute);
  ASSERT_TRUE(r.installed) << r.failure;
  EXPECT_EQ(h.received_payload(), h.payload());
}

TEST(ATransfer, KeepsMostOfALossyLinksRateInsteadOfBackingOff) {
  // 1% random loss on a 100 Mbit/s, 2 ms link: loss is not congestion.
  Harness h(8 << 20, Lossy(0.01), Lossy(0.01), 9);
  Result r = h.Run(10 * kMinute);
  ASSERT_TRUE(r.installed) << r.failure;
  double seconds = static_cast<double>(r.elapsed) / kUsPerSec;
  double floor = (8 << 20) / 12.5e6;
  RecordProperty("simulated_seconds", std::to_string(seconds));
  std::printf("lossy link: %.3f s simulated, floor %.3f s\n", seconds, floor);
  EXPECT_LT(seconds, floor * 1.5) << "simulated time " << seconds << " s vs link floor " << floor << " s";
}

TEST(ASender, GivesUpWithAReasonWhenNoHostAnswers) {
  Impairment dead = Lossy(1.0);
  Harness h(100000, dead, dead, 13);
  Result r = h.Run(kMinute);
  EXPECT_EQ(r.state, SenderState::kFailed);
  EXPECT_NE(r.failure.find("no answer to the offer"), std::string::npos) << r.failure;
}

}  // namespace
}  // namespace nxt::transfer::sim
