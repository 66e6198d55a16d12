// The fleet commands turn their arguments into the right Request.
#include <gtest/gtest.h>

#include "ctl/ctl.h"
#include "fake_daemon.h"

namespace nxt::ctl {
namespace {

control::Response Ok() {
  control::Response r;
  r.set_final(true);
  return r;
}

TEST(NxtctlGroups, SendsTheActionGroupAndIds) {
  testing::Harness h;
  h.daemon.Reply(Ok());
  EXPECT_EQ(h.Run({"groups", "add", "web", "a", "b"}), kExitOk) << h.err.str();
  ASSERT_EQ(h.daemon.requests.size(), 1u);
  const control::Groups& g = h.daemon.requests[0].groups();
  EXPECT_EQ(g.action(), "add");
  EXPECT_EQ(g.group(), "web");
  EXPECT_EQ(g.ids_size(), 2);
}

TEST(NxtctlGroups, ListsWhenGivenNoAction) {
  testing::Harness h;
  h.daemon.Reply(Ok());
  EXPECT_EQ(h.Run({"groups"}), kExitOk);
  EXPECT_EQ(h.daemon.requests[0].groups().action(), "list");
  EXPECT_EQ(h.out.str(), "no groups\n");
}

TEST(NxtctlActivate, SendsTargetsAndWaitsForTheHostsAnswersLongerThanUsual) {
  testing::Harness h;
  h.daemon.Reply(Ok());
  EXPECT_EQ(h.Run({"activate", "--to", "a,b", "--wait", "20"}), kExitOk);
  const control::FleetActivate& a = h.daemon.requests[0].activate();
  EXPECT_EQ(a.to_size(), 2);
  EXPECT_EQ(a.timeout_ms(), 20000u);
  EXPECT_GE(h.daemon.timeouts_ms[0], 20000) << "the reply may take the whole wait";
}

TEST(NxtctlRollout, DefaultsToTheNewestRolloutsStatus) {
  testing::Harness h;
  h.daemon.Reply(Ok());
  EXPECT_EQ(h.Run({"rollout"}), kExitOk);
  EXPECT_EQ(h.daemon.requests[0].rollout().action(), "status");
  EXPECT_EQ(h.daemon.requests[0].rollout().id(), 0u);
  testing::Harness r;
  r.daemon.Reply(Ok());
  EXPECT_EQ(r.Run({"rollout", "resume", "4"}), kExitOk);
  EXPECT_EQ(r.daemon.requests[0].rollout().action(), "resume");
  EXPECT_EQ(r.daemon.requests[0].rollout().id(), 4u);
}

TEST(NxtctlHistory, AsksForOneHostsHistory) {
  testing::Harness h;
  h.daemon.Reply(Ok());
  EXPECT_EQ(h.Run({"history", "web-1", "--limit", "5"}), kExitOk);
  EXPECT_EQ(h.daemon.requests[0].history().client_id(), "web-1");
  EXPECT_EQ(h.daemon.requests[0].history().limit(), 5u);
}

}  // namespace
}  // namespace nxt::ctl
