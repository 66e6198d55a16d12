#include "sys/event_loop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "sys/notify.h"
#include "sys/watchdog.h"

namespace nxt::sys {
namespace {

constexpr TimeUs kDeadline = 5 * kUsPerSec;  // generous: only hit when broken

std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok());
  return std::move(loop).value();
}

TEST(Timers, FireInDeadlineOrderNotArmingOrder) {
  auto loop = NewLoop();
  std::vector<int> fired;
  Timer late(*loop, [&] { fired.push_back(3); });
  Timer early(*loop, [&] { fired.push_back(1); });
  Timer middle(*loop, [&] { fired.push_back(2); });
  late.Arm(30 * kUsPerMs);
  early.Arm(1 * kUsPerMs);
  middle.Arm(10 * kUsPerMs);
  ASSERT_TRUE(loop->RunUntil([&] { return fired.size() == 3; }, kDeadline).ok());
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

TEST(ATimer, DoesNotFireOnceCancelled) {
  auto loop = NewLoop();
  bool cancelled_fired = false, other_fired = false;
  Timer cancelled(*loop, [&] { cancelled_fired = true; });
  Timer other(*loop, [&] { other_fired = true; });
  cancelled.Arm(1 * kUsPerMs);
  other.Arm(20 * kUsPerMs);
  EXPECT_TRUE(cancelled.armed());
  cancelled.Cancel();
  EXPECT_FALSE(cancelled.armed());
  ASSERT_TRUE(loop->RunUntil([&] { return other_fired; }, kDeadline).ok());
  EXPECT_FALSE(cancelled_fired);
}

TEST(ATimer, ArmedAtAPastDeadlineFiresOnTheNextPass) {
  auto loop = NewLoop();
  FakeClock clock(10 * kUsPerSec);
  bool fired = false;
  Timer t(*loop, [&] { fired = true; });
  t.ArmAt(1 * kUsPerSec, clock);
  ASSERT_TRUE(loop->RunUntil([&] { return fired; }, kDeadline).ok());
  t.ArmAt(kNever, clock);
  EXPECT_FALSE(t.armed());
}

TEST(ATimer, MayBeDestroyedFromItsOwnCallback) {
  auto loop = NewLoop();
  int fired = 0;
  std::unique_ptr<Timer> t;
  t = std::make_unique<Timer>(*loop, [&] {
    ++fired;
    t.reset();
  });
  t->Arm(0);
  ASSERT_TRUE(loop->RunUntil([&] { return t == nullptr; }, kDeadline).ok());
  EXPECT_EQ(fired, 1);
}

TEST(RunUntil, ReportsATimeoutWhenTheConditionNeverHolds) {
  auto loop = NewLoop();
  Status s = loop->RunUntil([] { return false; }, 2 * kUsPerMs);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Errc::kTimeout);
}

TEST(AnIoWatch, CallsBackWhenItsFdBecomesReadable) {
  auto loop = NewLoop();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd rd(fds[0]), wr(fds[1]);
  std::string got;
  IoWatch watch(*loop, rd.get(), Io::kRead, [&] {
    char buf[16];
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
  });
  ASSERT_TRUE(watch.Start().ok());
  ASSERT_EQ(::write(wr.get(), "ping", 4), 4);
  ASSERT_TRUE(loop->RunUntil([&] { return got == "ping"; }, kDeadline).ok());
  watch.Stop();
  EXPECT_FALSE(watch.active());
}

TEST(ASignalWatch, DeliversTheSignalThroughTheLoop) {
  auto loop = NewLoop();
  bool hup = false;
  SignalWatch watch(*loop, SIGHUP, [&] { hup = true; });
  ASSERT_TRUE(watch.Start().ok());
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
  ASSERT_TRUE(loop->RunUntil([&] { return hup; }, kDeadline).ok());
}

TEST(Defer, RunsOnTheNextPassInOrder) {
  auto loop = NewLoop();
  std::vector<int> ran;
  loop->Defer([&] { ran.push_back(1); });
  loop->Defer([&] { ran.push_back(2); });
  EXPECT_TRUE(ran.empty());
  ASSERT_TRUE(loop->RunUntil([&] { return ran.size() == 2; }, kDeadline).ok());
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

TEST(Stop, MakesRunReturn) {
  auto loop = NewLoop();
  Timer keepalive(*loop, [] {});
  keepalive.Arm(60 * kUsPerSec);  // something pending, so Run would not return by itself
  Timer stop(*loop, [&] { loop->Stop(); });
  stop.Arm(1 * kUsPerMs);
  EXPECT_TRUE(loop->Run().ok());
  EXPECT_TRUE(keepalive.armed());
}

TEST(AWatchdogPinger, PingsAtHalfTheIntervalSystemdAskedFor) {
  auto loop = NewLoop();
  RecordingNotifier notifier(4 * kUsPerMs);
  WatchdogPinger pinger(*loop, notifier);
  EXPECT_EQ(pinger.period_us(), 2 * kUsPerMs);
  pinger.Start();
  EXPECT_EQ(notifier.states().size(), 1u);  // the first ping is immediate
  ASSERT_TRUE(loop->RunUntil([&] { return notifier.states().size() >= 3; }, kDeadline).ok());
  EXPECT_TRUE(notifier.Sent("WATCHDOG=1"));
}

TEST(AWatchdogPinger, StaysSilentWhenTheWatchdogIsOff) {
  auto loop = NewLoop();
  RecordingNotifier notifier(0);
  WatchdogPinger pinger(*loop, notifier);
  pinger.Start();
  EXPECT_FALSE(pinger.enabled());
  EXPECT_TRUE(notifier.states().empty());
}

TEST(ANotifier, FormatsReloadingStatusAndReady) {
  RecordingNotifier n;
  n.Reloading(123456);
  n.SetStatus("loading\nplug-in");
  n.Ready();
  n.Stopping();
  EXPECT_EQ(n.states(), (std::vector<std::string>{"RELOADING=1\nMONOTONIC_USEC=123456",
                                                  "STATUS=loading plug-in", "READY=1",
                                                  "STOPPING=1"}));
}

TEST(ASystemdNotifier, IsHarmlessWithoutNotifySocket) {
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  SystemdNotifier n;
  n.Ready();
  n.SetStatus("idle");
  EXPECT_EQ(n.WatchdogIntervalUs(), 0u);
}

}  // namespace
}  // namespace nxt::sys
