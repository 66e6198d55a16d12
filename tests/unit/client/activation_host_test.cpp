// ActivationHost with real plug-ins, a real event loop (never run: the tests
// call CheckWindow themselves) and a FakeClock, so the maintenance window is
// tested at any time of day without waiting.
#include "client/activation_host.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <filesystem>

#include "crypto/digest.h"
#include "crypto/sha256.h"
#include "plugin/plugin_files.h"

namespace nxt::client {
namespace {

using plugin::testing::BuiltPlugin;
using plugin::testing::TempDir;

// FakeClock's wall clock starts at 1'700'000'000 s = 22:13:20 UTC (+ 1 s).
constexpr const char* kWindowSoon = "window 22:14-22:20";

class AnActivationHost : public ::testing::Test {
 protected:
  AnActivationHost() {
    setenv("TZ", "UTC", 1);
    tzset();
    std::filesystem::create_directories(dir_.Path("state/store"));
  }

  std::unique_ptr<ActivationHost> Make(const char* policy) {
    plugins_ = std::make_unique<PluginHost>(dir_.Path("state"), BuiltPlugin("libfunctional.so"), plugin::LoadOptions{},
                                            log_, clock_);
    plugins_->Start();
    auto host = std::make_unique<ActivationHost>(*loop_, clock_, log_, dir_.Path("state"), *plugins_, floor_,
                                                 [this] { ++changes_; });
    host->Start(*ParseActivationPolicy(policy));
    return host;
  }

  // Puts the 8.6 sample into the store as a verified release would be, and stages it.
  void StageSample(ActivationHost& host) {
    std::string src = BuiltPlugin("libfunctional_2_0.so");
    std::string sha = crypto::ToHex(*crypto::Sha256OfFile(src));
    std::string path = dir_.Path("state/store/" + sha + ".so");
    std::filesystem::copy_file(src, path, std::filesystem::copy_options::overwrite_existing);
    wire::Manifest m;
    m.mutable_artifact()->set_product("nxtgen");
    m.mutable_artifact()->set_major(8);
    m.mutable_artifact()->set_minor(6);
    m.mutable_artifact()->set_sha256(crypto::DigestToBytes(*crypto::Sha256OfFile(src)));
    ASSERT_TRUE(host.Stage(path, m).ok());
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<sys::EventLoop> loop_ = std::move(sys::EventLoop::Create()).value();
  sys::Logger log_{std::make_shared<sys::MemorySink>(), "test"};
  RollbackFloor floor_;
  std::unique_ptr<PluginHost> plugins_;
  int changes_ = 0;
};

TEST_F(AnActivationHost, KeepsAStagedReleaseAcrossARestart) {
  auto host = Make("manual");
  StageSample(*host);
  host.reset();
  auto again = Make("manual");
  EXPECT_EQ(again->staged().major(), 8u);
  EXPECT_EQ(plugins_->Running().major(), 5u) << "staged is not running";
}

TEST_F(AnActivationHost, StagesEverythingUnlessImmediate) {
  EXPECT_FALSE(Make("immediate")->ShouldStage(wire::ACTIVATION_IMMEDIATE));
  EXPECT_TRUE(Make("immediate")->ShouldStage(wire::ACTIVATION_LATER));
  EXPECT_TRUE(Make("manual")->ShouldStage(wire::ACTIVATION_IMMEDIATE));
  EXPECT_TRUE(Make(kWindowSoon)->ShouldStage(wire::ACTIVATION_IMMEDIATE));
}

TEST_F(AnActivationHost, ActivatesByItselfWhenTheWindowOpensAndNotBefore) {
  auto host = Make(kWindowSoon);
  StageSample(*host);
  host->CheckWindow();  // 22:13:21: closed
  EXPECT_EQ(plugins_->Running().major(), 5u);
  clock_.Advance(40 * kUsPerSec);  // 22:14:01
  host->CheckWindow();
  EXPECT_EQ(plugins_->Running().major(), 8u);
  EXPECT_EQ(host->staged().major(), 0u) << "nothing is staged any more";
  EXPECT_NE(host->last().find("maintenance window 22:14-22:20"), std::string::npos) << host->last();
}

TEST_F(AnActivationHost, ActivatesOnCommandAndRollsBackWithoutATransfer) {
  auto host = Make("manual");
  StageSample(*host);
  auto done = host->ActivateStaged("test");
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_EQ(plugins_->Running().major(), 8u);
  EXPECT_EQ(plugins_->Previous().major(), 5u);
  auto back = host->Rollback("test");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(plugins_->Running().major(), 5u);
  EXPECT_EQ(plugins_->Previous().major(), 8u) << "a second rollback goes forward again";
}

TEST_F(AnActivationHost, SaysSoWhenNothingIsStagedOrThereIsNoPrevious) {
  auto host = Make("manual");
  EXPECT_EQ(host->ActivateStaged("test").error().code(), Errc::kNotFound);
  EXPECT_EQ(host->Rollback("test").error().code(), Errc::kNotFound);
}

TEST_F(AnActivationHost, AnswersAResentActivateWithTheSameReportWithoutActingTwice) {
  auto host = Make("manual");
  StageSample(*host);
  wire::Datagram req;
  req.mutable_activate()->set_request(42);
  auto first = host->OnRequest(req);
  ASSERT_TRUE(first && first->report().ok()) << (first ? first->report().result() : "no report");
  int changes = changes_;
  auto again = host->OnRequest(req);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->report().ok());
  EXPECT_EQ(again->report().result(), first->report().result());
  EXPECT_EQ(changes_, changes);
}

TEST_F(AnActivationHost, ReportsWhatRunsOnAQuery) {
  auto host = Make("manual");
  StageSample(*host);
  wire::Datagram q;
  q.mutable_query()->set_query(7);
  auto r = host->OnRequest(q);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->report().query(), 7u);
  EXPECT_EQ(r->report().running().major(), 5u);
  EXPECT_EQ(r->report().staged().major(), 8u);
}

}  // namespace
}  // namespace nxt::client
