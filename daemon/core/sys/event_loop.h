// nxt_sys event loop: RAII over libevent (DESIGN.md: one event_base per
// daemon; sockets, timers, signals and the watchdog all run on it). Users
// never call event_new/event_free: EventLoop owns the event_base, Timer /
// IoWatch / SignalWatch own one `event` each and free it when destroyed.
//
// Callbacks run on the loop's thread. A callback may destroy the object that
// invoked it (e.g. a connection closing itself from its read callback): the
// callback's closure is kept alive until it returns. Every Timer, IoWatch
// and SignalWatch must be destroyed before its EventLoop.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace nxt::sys {

class EventLoop {
 public:
  // An event_base with EVENT_BASE_FLAG_PRECISE_TIMER (timerfd on Linux, so
  // timers have µs rather than ms resolution).
  static Result<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until Stop() or until no event is pending.
  Status Run();
  // Makes Run()/RunUntil() return after the current callback.
  void Stop();
  // Runs until done() is true (checked after every pass) or timeout_us has
  // passed: Errc::kTimeout then. For tests and startup/shutdown sequences.
  Status RunUntil(const std::function<bool()>& done, TimeUs timeout_us);

  // Runs fn on the next loop pass, outside any other callback: the safe place
  // to destroy objects whose callback is on the stack. Pending calls that never
  // ran are dropped with the loop.
  void Defer(std::function<void()> fn);

  event_base* base() const { return base_; }

 private:
  EventLoop(event_base* base, event* defer_event);
  static void RunDeferred(evutil_socket_t, short, void* arg);

  event_base* base_;
  event* defer_event_;
  std::vector<std::function<void()>> deferred_;
};

// A one-shot timer. Re-arming replaces the previous deadline.
class Timer {
 public:
  Timer(EventLoop& loop, std::function<void()> on_fire);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void Arm(TimeUs delay_us);
  // Fires at `deadline_us` on `clock`'s monotonic time line (SystemClock in
  // the daemons); a past deadline fires on the next pass, kNever cancels.
  void ArmAt(TimeUs deadline_us, const Clock& clock);
  void Cancel();
  bool armed() const;

 private:
  static void Fire(evutil_socket_t, short, void* arg);
  std::shared_ptr<std::function<void()>> on_fire_;
  event* ev_;
};

enum class Io { kRead, kWrite };

// A persistent readiness watch on a file descriptor it does not own: destroy
// the IoWatch before closing the fd. Starts stopped.
class IoWatch {
 public:
  IoWatch(EventLoop& loop, int fd, Io what, std::function<void()> on_ready);
  ~IoWatch();
  IoWatch(const IoWatch&) = delete;
  IoWatch& operator=(const IoWatch&) = delete;

  Status Start();
  void Stop();
  bool active() const;
  int fd() const { return fd_; }

 private:
  static void Ready(evutil_socket_t, short, void* arg);
  std::shared_ptr<std::function<void()>> on_ready_;
  event* ev_;
  int fd_;
};

// A persistent handler for a signal (SIGTERM, SIGINT, SIGHUP) delivered
// through the loop, so the handler may do anything a callback may. libevent
// allows signal events on one event_base per process at a time.
class SignalWatch {
 public:
  SignalWatch(EventLoop& loop, int signo, std::function<void()> on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  Status Start();
  void Stop();

 private:
  static void Caught(evutil_socket_t, short, void* arg);
  std::shared_ptr<std::function<void()>> on_signal_;
  event* ev_;
  int signo_;
};

}  // namespace nxt::sys
