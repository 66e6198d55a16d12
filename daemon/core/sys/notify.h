// nxt_sys service notification: tells systemd (Type=notify) that the daemon is
// ready, reloading, stopping, alive (watchdog), and what it is doing (STATUS=).
// The real Notifier wraps sd_notify and is a harmless no-op when NOTIFY_SOCKET
// is unset (a daemon started by hand); tests use RecordingNotifier.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace nxt::sys {

class Notifier {
 public:
  virtual ~Notifier() = default;

  // Sends raw "KEY=value\n..." assignments (sd_notify(3)).
  virtual void Notify(std::string_view state) = 0;
  // The interval systemd expects WATCHDOG=1 within (WatchdogSec=), or 0 when
  // the watchdog is off for this process. Ping at half of it.
  virtual TimeUs WatchdogIntervalUs() const = 0;

  void Ready() { Notify("READY=1"); }
  void Stopping() { Notify("STOPPING=1"); }
  void Watchdog() { Notify("WATCHDOG=1"); }
  // One line for `systemctl status`; newlines are replaced by spaces because a
  // newline would start a new assignment.
  void SetStatus(std::string_view text);
  // RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC, µs) as systemd 253+
  // wants for Type=notify-reload; send Ready() when the reload is done.
  void Reloading(TimeUs monotonic_now_us);
};

class SystemdNotifier final : public Notifier {
 public:
  void Notify(std::string_view state) override;
  TimeUs WatchdogIntervalUs() const override;
};

class RecordingNotifier final : public Notifier {
 public:
  explicit RecordingNotifier(TimeUs watchdog_interval_us = 0)
      : watchdog_interval_us_(watchdog_interval_us) {}
  void Notify(std::string_view state) override { states_.emplace_back(state); }
  TimeUs WatchdogIntervalUs() const override { return watchdog_interval_us_; }

  const std::vector<std::string>& states() const { return states_; }
  bool Sent(std::string_view state) const;  // some Notify call was exactly `state`
  void Clear() { states_.clear(); }

 private:
  TimeUs watchdog_interval_us_;
  std::vector<std::string> states_;
};

}  // namespace nxt::sys
