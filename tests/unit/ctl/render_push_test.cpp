#include <gtest/gtest.h>

#include "ctl/render.h"

namespace nxt::ctl {
namespace {

constexpr uint64_t kMiB = 1 << 20;

control::TargetProgress Target(const std::string& id, control::TargetState state, uint64_t done = 0,
                               uint64_t total = 0) {
  control::TargetProgress t;
  t.set_client_id(id);
  t.set_state(state);
  t.set_bytes_done(done);
  t.set_bytes_total(total);
  return t;
}

control::PushProgress Progress(std::initializer_list<control::TargetProgress> targets) {
  control::PushProgress p;
  for (const auto& t : targets) *p.add_targets() = t;
  p.set_done(true);
  return p;
}

TEST(ProgressLine, ShowsIdBarPercentRateAndState) {
  control::TargetProgress t = Target("host-a", control::TARGET_TRANSFERRING, 5 * kMiB, 10 * kMiB);
  t.set_elapsed_ms(2'000);
  EXPECT_EQ(ProgressLine(t, 8, 10), "host-a    [#####-----]   50%     2.5 MiB/s  transferring");
}

TEST(ProgressLine, FillsTheBarForAHostThatFinishedWithoutByteCounts) {
  control::TargetProgress t = Target("db1", control::TARGET_DECLINED);
  t.set_reason("already installed");
  EXPECT_EQ(ProgressLine(t, 4, 4), "db1   [####]  100%             -  declined (already installed)");
}

TEST(ProgressLine, NeverOverfillsWhenMoreBytesThanTotalAreReported) {
  control::TargetProgress t = Target("h", control::TARGET_VERIFYING, 12, 10);
  EXPECT_NE(ProgressLine(t, 1, 4).find("[####]  100%"), std::string::npos);
}

TEST(StateChangeLine, NamesTheHostStateVersionAndReason) {
  control::TargetProgress ok = Target("host-a", control::TARGET_INSTALLED);
  ok.mutable_running()->set_product("nxtgen");
  ok.mutable_running()->set_major(8);
  ok.mutable_running()->set_minor(6);
  EXPECT_EQ(StateChangeLine(ok), "host-a: installed nxtgen 8.6");
  control::TargetProgress bad = Target("db1", control::TARGET_FAILED);
  bad.set_reason("self-test failed");
  EXPECT_EQ(StateChangeLine(bad), "db1: failed (self-test failed)");
}

TEST(JudgePush, SucceedsWhenEveryHostInstalled) {
  PushVerdict v = JudgePush(Progress({Target("a", control::TARGET_INSTALLED),
                                      Target("b", control::TARGET_INSTALLED)}),
                            /*later=*/false);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.total, 2u);
  EXPECT_EQ(v.failed, 0u);
}

TEST(JudgePush, FailsWhenAnyHostFailedDeclinedOrNeverFinished) {
  for (auto state : {control::TARGET_FAILED, control::TARGET_DECLINED, control::TARGET_VERIFYING,
                     control::TARGET_PENDING}) {
    PushVerdict v = JudgePush(Progress({Target("a", control::TARGET_INSTALLED), Target("b", state)}), false);
    EXPECT_EQ(v.exit_code, 1) << TargetStateName(state);
    EXPECT_EQ(v.failed, 1u) << TargetStateName(state);
  }
}

TEST(JudgePush, AcceptsStagedHostsWhenThePushWasForLater) {
  PushVerdict v = JudgePush(Progress({Target("a", control::TARGET_STAGED),
                                      Target("b", control::TARGET_INSTALLED)}),
                            /*later=*/true);
  EXPECT_EQ(v.exit_code, 0);
}

TEST(JudgePush, AcceptsStagedHostsWhoseOwnerDefersActivation) {
  PushVerdict v = JudgePush(Progress({Target("a", control::TARGET_STAGED)}), /*later=*/false);
  EXPECT_EQ(v.exit_code, 0);
}

TEST(JudgePush, FailsAPushThatReachedNoHost) {
  EXPECT_EQ(JudgePush(Progress({}), false).exit_code, 1);
}

TEST(JudgePush, ListsSkippedHostsWithoutFailingThePush) {
  PushVerdict v = JudgePush(Progress({Target("a", control::TARGET_INSTALLED), Target("b", control::TARGET_SKIPPED)}),
                            false);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.skipped, 1u);
  EXPECT_EQ(VerdictLine(v, false), "all 1 host installed; 1 skipped (no artifact for their platform)");
}

TEST(JudgePush, FailsAReleaseThatHadNothingForAnyTarget) {
  PushVerdict v = JudgePush(Progress({Target("b", control::TARGET_SKIPPED)}), false);
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(VerdictLine(v, false), "no targeted host runs a platform this release has; 1 skipped (no artifact for "
                                   "their platform)");
}

TEST(RenderPushSummary, TabulatesEveryHostAndCountsTheFailures) {
  control::TargetProgress a = Target("host-a", control::TARGET_INSTALLED, kMiB, kMiB);
  a.mutable_running()->set_product("nxtgen");
  a.mutable_running()->set_major(8);
  a.mutable_running()->set_minor(6);
  a.set_elapsed_ms(1'200);
  a.set_retransmitted(3);
  control::TargetProgress b = Target("db1", control::TARGET_FAILED);
  b.set_reason("hash mismatch");
  b.set_elapsed_ms(65'000);
  EXPECT_EQ(RenderPushSummary(Progress({a, b}), false),
            "HOST    RESULT     VERSION     TIME   DETAIL\n"
            "host-a  installed  nxtgen 8.6  1.2s   3 chunks resent\n"
            "db1     failed     -           1m05s  hash mismatch\n"
            "1 of 2 hosts failed\n");
}

TEST(RenderPushSummary, SaysAllHostsInstalledOnSuccess) {
  std::string out = RenderPushSummary(Progress({Target("a", control::TARGET_INSTALLED)}), false);
  EXPECT_NE(out.find("all 1 host installed\n"), std::string::npos) << out;
}

TEST(RenderPushSummary, SaysSoWhenNoHostWasTargeted) {
  EXPECT_EQ(RenderPushSummary(Progress({}), false), "no hosts were targeted\n");
}

}  // namespace
}  // namespace nxt::ctl
