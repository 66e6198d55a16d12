#include "sys/notify.h"

#include <systemd/sd-daemon.h>

#include <algorithm>

namespace nxt::sys {

void Notifier::SetStatus(std::string_view text) {
  std::string line(text);
  std::replace(line.begin(), line.end(), '\n', ' ');
  Notify("STATUS=" + line);
}

void Notifier::Reloading(TimeUs monotonic_now_us) {
  Notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_now_us));
}

void SystemdNotifier::Notify(std::string_view state) {
  // sd_notify returns 0 without NOTIFY_SOCKET and <0 on a send error; neither
  // is something the daemon could act on, so the result is dropped.
  std::string s(state);
  (void)sd_notify(0, s.c_str());
}

TimeUs SystemdNotifier::WatchdogIntervalUs() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) return 0;
  return usec;
}

bool RecordingNotifier::Sent(std::string_view state) const {
  return std::find(states_.begin(), states_.end(), state) != states_.end();
}

}  // namespace nxt::sys
