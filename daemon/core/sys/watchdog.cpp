#include "sys/watchdog.h"

namespace nxt::sys {

WatchdogPinger::WatchdogPinger(EventLoop& loop, Notifier& notifier)
    : notifier_(notifier),
      period_us_(notifier.WatchdogIntervalUs() / 2),  // sd_watchdog_enabled(3) advice
      timer_(loop, [this] { Ping(); }) {}

void WatchdogPinger::Start() {
  if (enabled()) Ping();
}

void WatchdogPinger::Ping() {
  notifier_.Watchdog();
  timer_.Arm(period_us_);
}

}  // namespace nxt::sys
