// nxt_sys watchdog keep-alive: sends WATCHDOG=1 from a Timer on the daemon's
// own event loop at half the interval systemd asked for (WatchdogSec=). A loop
// that hangs stops the pings, so systemd restarts the daemon: the ping proves
// the loop is alive, which a separate thread could not.
#pragma once

#include "base/clock.h"
#include "sys/event_loop.h"
#include "sys/notify.h"

namespace nxt::sys {

class WatchdogPinger {
 public:
  WatchdogPinger(EventLoop& loop, Notifier& notifier);

  // Pings now and then every interval/2; a no-op when the watchdog is off.
  void Start();
  void Stop() { timer_.Cancel(); }
  bool enabled() const { return period_us_ > 0; }
  TimeUs period_us() const { return period_us_; }

 private:
  void Ping();

  Notifier& notifier_;
  TimeUs period_us_;
  Timer timer_;
};

}  // namespace nxt::sys
