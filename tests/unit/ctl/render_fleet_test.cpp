#include <gtest/gtest.h>

#include "ctl/render.h"

namespace nxt::ctl {
namespace {

constexpr uint64_t kNow = 1'700'000'000'000;

wire::ArtifactInfo Version(uint32_t major, uint32_t minor) {
  wire::ArtifactInfo a;
  a.set_product("nxtgen");
  a.set_major(major);
  a.set_minor(minor);
  return a;
}

TEST(RenderFleet, TabulatesEachHostThenTheSummary) {
  control::FleetReport r;
  control::HostReport* a = r.add_hosts();
  a->set_client_id("web-1");
  a->set_sync("current");
  *a->mutable_running() = Version(8, 6);
  *a->mutable_desired() = Version(8, 6);
  a->set_plugin_uptime_ms(125'000);
  control::HostReport* b = r.add_hosts();
  b->set_client_id("db-1");
  b->set_sync("unreachable");
  EXPECT_EQ(RenderFleet(r, "1 current, 1 unreachable"),
            "HOST   SYNC         RUNNING     STAGED  DESIRED     UPTIME  RESULT\n"
            "web-1  current      nxtgen 8.6  -       nxtgen 8.6  2m05s   -\n"
            "db-1   unreachable  -           -       -           -       -\n"
            "1 current, 1 unreachable\n");
}

TEST(RenderGroups, ListsMembersOrSaysThereAreNone) {
  control::GroupList list;
  EXPECT_EQ(RenderGroups(list), "no groups\n");
  control::GroupInfo* g = list.add_groups();
  g->set_name("web");
  g->add_members("web-1");
  g->add_members("web-2");
  EXPECT_EQ(RenderGroups(list), "GROUP  MEMBERS\nweb    web-1 web-2\n");
}

TEST(RenderRollouts, ShowsWhyItHaltedAndWhichWavesNeverRan) {
  control::RolloutList list;
  control::RolloutInfo* r = list.add_rollouts();
  r->set_id(3);
  r->set_state("halted");
  *r->mutable_artifact() = Version(9, 0);
  r->set_name("lib.so");
  r->set_wave("2");
  r->set_max_failures("0");
  r->set_reason("wave 1: 1 of 2 hosts failed (max 0)");
  r->set_created_unix_ms(kNow - 65'000);
  r->set_waves(2);
  control::RolloutWave* w = r->add_plan();
  w->add_hosts("a");
  w->add_hosts("b");
  w->set_deployment(7);
  w->set_failed(1);
  w->set_succeeded(1);
  r->add_plan()->add_hosts("c");
  EXPECT_EQ(RenderRollouts(list, kNow),
            "rollout 3: halted, nxtgen 9.0 (lib.so), waves of 2, max failures 0 per wave, started 1m05s ago\n"
            "  halted: wave 1: 1 of 2 hosts failed (max 0)\n"
            "WAVE  STATE    DEPLOYMENT  OK  FAILED  HOSTS\n"
            "1     halted   7           1   1       a b\n"
            "2     waiting  -           -   -       c\n");
}

TEST(RenderHistory, ListsEntriesNewestFirstAsGiven) {
  control::History h;
  EXPECT_EQ(RenderHistory(h, kNow), "no history\n");
  control::HistoryEntry* e = h.add_entries();
  e->set_at_unix_ms(kNow - 3'000);
  e->set_deployment(4);
  e->set_client_id("web-1");
  e->set_action("install");
  e->set_result("failed");
  e->set_detail("self-test failed; still running nxtgen 5.6");
  *e->mutable_artifact() = Version(8, 6);
  EXPECT_EQ(RenderHistory(h, kNow),
            "WHEN    DEPLOYMENT  HOST   ACTION   VERSION     RESULT  DETAIL\n"
            "3s ago  4           web-1  install  nxtgen 8.6  failed  self-test failed; still running nxtgen 5.6\n");
}

}  // namespace
}  // namespace nxt::ctl
