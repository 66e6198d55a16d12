#include "server/desired_state.h"

#include <gtest/gtest.h>

#include "server/fleet_db.h"
#include "sqlite/temp_db.h"

namespace nxt::server {
namespace {

wire::ArtifactInfo WithSha(char c) {
  wire::ArtifactInfo a;
  a.set_sha256(std::string(32, c));
  return a;
}

TEST(ResolveDesired, PicksTheNewestEntryThatCoversTheHost) {
  std::vector<DesiredEntry> entries = {
      {"*", 1, 1, 0}, {"host:a", 2, 2, 0}, {"group:web", 3, 3, 0}, {"*", 4, 0, 0} /* older than all */};
  EXPECT_EQ(ResolveDesired("a", {}, entries)->deployment, 2u);
  EXPECT_EQ(ResolveDesired("a", {"web"}, entries)->deployment, 3u);
  EXPECT_EQ(ResolveDesired("b", {}, entries)->deployment, 1u);
}

TEST(ResolveDesired, FindsNothingWhenNoPushCoveredTheHost) {
  EXPECT_EQ(ResolveDesired("a", {}, {{"host:b", 1, 1, 0}, {"group:web", 2, 2, 0}}), nullptr);
}

TEST(ResolveDesired, LetsANewerPushToAllOverrideAnOlderHold) {
  std::vector<DesiredEntry> entries = {{"host:a", 0, 1, 0}, {"*", 5, 2, 0}};
  EXPECT_EQ(ResolveDesired("a", {}, entries)->deployment, 5u);
}

TEST(CompareToDesired, TellsCurrentStagedBehindHeldAndNone) {
  DesiredEntry e{"*", 7, 1, 0}, hold{"host:a", 0, 2, 0};
  std::string want = std::string(32, 'x');
  EXPECT_EQ(CompareToDesired(&e, want, WithSha('x'), {}), Sync::kCurrent);
  EXPECT_EQ(CompareToDesired(&e, want, WithSha('o'), WithSha('x')), Sync::kStaged);
  EXPECT_EQ(CompareToDesired(&e, want, WithSha('o'), {}), Sync::kBehind);
  EXPECT_EQ(CompareToDesired(&hold, "", WithSha('o'), {}), Sync::kHeld);
  EXPECT_EQ(CompareToDesired(nullptr, "", WithSha('o'), {}), Sync::kNone);
  EXPECT_EQ(CompareToDesired(&e, "", WithSha('o'), {}), Sync::kNone) << "release gone: nothing to push";
}

class ADesiredState : public ::testing::Test {
 protected:
  ADesiredState() : db_(std::move(StateDb::Open(tmp_.path())).value()), fleet_(db_.db()) {}
  sqlite::testing::TempDb tmp_;
  StateDb db_;
  FleetDb fleet_;
};

TEST_F(ADesiredState, RemembersGroupsAndEntriesAcrossARestart) {
  {
    DesiredState d(fleet_);
    ASSERT_TRUE(d.Load().ok());
    ASSERT_TRUE(d.CreateGroup("web").ok());
    ASSERT_TRUE(d.AddMembers("web", {"a", "b"}).ok());
    ASSERT_TRUE(d.Set(GroupScope("web"), 3, 100).ok());
    ASSERT_TRUE(d.Set(kAllHosts, 2, 200).ok());  // newer than the group's
    ASSERT_TRUE(d.Set(GroupScope("web"), 4, 300).ok());  // and newer again
  }
  DesiredState again(fleet_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GroupsOf("a"), std::set<std::string>{"web"});
  EXPECT_EQ(again.For("a")->deployment, 4u);
  EXPECT_EQ(again.For("c")->deployment, 2u);
  ASSERT_TRUE(again.Set(HostScope("a"), 0, 400).ok());
  EXPECT_EQ(again.For("a")->deployment, 0u) << "a rollback holds the host";
}

TEST_F(ADesiredState, RefusesBadGroupNamesAndUnknownGroups) {
  DesiredState d(fleet_);
  ASSERT_TRUE(d.Load().ok());
  EXPECT_FALSE(d.CreateGroup("a b").ok());
  EXPECT_FALSE(d.CreateGroup("").ok());
  EXPECT_EQ(d.AddMembers("nope", {"a"}).error().code(), Errc::kNotFound);
  ASSERT_TRUE(d.CreateGroup("db").ok());
  EXPECT_FALSE(d.CreateGroup("db").ok());
}

TEST_F(ADesiredState, ForgetsADeletedGroupsDesiredRelease) {
  DesiredState d(fleet_);
  ASSERT_TRUE(d.Load().ok());
  ASSERT_TRUE(d.CreateGroup("db").ok());
  ASSERT_TRUE(d.AddMembers("db", {"a"}).ok());
  ASSERT_TRUE(d.Set(GroupScope("db"), 9, 1).ok());
  ASSERT_TRUE(d.DeleteGroup("db").ok());
  EXPECT_EQ(d.For("a"), nullptr);
}

}  // namespace
}  // namespace nxt::server
