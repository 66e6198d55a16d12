#include "sys/event_loop.h"

#include <sys/time.h>

#include <utility>

namespace nxt::sys {
namespace {

timeval ToTimeval(TimeUs us) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us / kUsPerSec);
  tv.tv_usec = static_cast<suseconds_t>(us % kUsPerSec);
  return tv;
}

// Copies the shared closure before calling it, so the owner may be destroyed
// inside the callback without destroying the running closure.
void Invoke(const std::shared_ptr<std::function<void()>>& fn) {
  std::shared_ptr<std::function<void()>> keep = fn;
  (*keep)();
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::Create() {
  event_config* cfg = event_config_new();
  if (cfg == nullptr) return Error(Errc::kIo, "event_config_new failed");
  event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
  event_base* base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (base == nullptr) return Error(Errc::kIo, "event_base_new_with_config failed");
  auto loop = std::unique_ptr<EventLoop>(new EventLoop(base, nullptr));
  loop->defer_event_ = event_new(base, -1, 0, &EventLoop::RunDeferred, loop.get());
  if (loop->defer_event_ == nullptr) return Error(Errc::kIo, "event_new failed");
  return loop;
}

EventLoop::EventLoop(event_base* base, event* defer_event)
    : base_(base), defer_event_(defer_event) {}

EventLoop::~EventLoop() {
  if (defer_event_ != nullptr) event_free(defer_event_);
  deferred_.clear();
  event_base_free(base_);
}

Status EventLoop::Run() {
  if (event_base_dispatch(base_) < 0) return Error(Errc::kIo, "event_base_dispatch failed");
  return Ok();
}

void EventLoop::Stop() { event_base_loopbreak(base_); }

Status EventLoop::RunUntil(const std::function<bool()>& done, TimeUs timeout_us) {
  bool expired = false;
  Timer deadline(*this, [&expired] { expired = true; });
  deadline.Arm(timeout_us);
  while (!done()) {
    if (expired)
      return Error(Errc::kTimeout, "condition not met within " +
                                       std::to_string(timeout_us / kUsPerMs) + " ms");
    if (event_base_loop(base_, EVLOOP_ONCE) < 0)
      return Error(Errc::kIo, "event_base_loop failed");
    if (event_base_got_break(base_) && !done())
      return Error(Errc::kClosed, "event loop stopped");
  }
  return Ok();
}

void EventLoop::Defer(std::function<void()> fn) {
  deferred_.push_back(std::move(fn));
  event_active(defer_event_, EV_TIMEOUT, 0);
}

void EventLoop::RunDeferred(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<EventLoop*>(arg);
  std::vector<std::function<void()>> batch;
  batch.swap(self->deferred_);
  for (auto& fn : batch) fn();
}

Timer::Timer(EventLoop& loop, std::function<void()> on_fire)
    : on_fire_(std::make_shared<std::function<void()>>(std::move(on_fire))),
      ev_(evtimer_new(loop.base(), &Timer::Fire, this)) {}

Timer::~Timer() { event_free(ev_); }

void Timer::Arm(TimeUs delay_us) {
  timeval tv = ToTimeval(delay_us);
  evtimer_add(ev_, &tv);
}

void Timer::ArmAt(TimeUs deadline_us, const Clock& clock) {
  if (deadline_us == kNever) {
    Cancel();
    return;
  }
  TimeUs now = clock.NowUs();
  Arm(deadline_us > now ? deadline_us - now : 0);
}

void Timer::Cancel() { evtimer_del(ev_); }

bool Timer::armed() const { return evtimer_pending(ev_, nullptr) != 0; }

void Timer::Fire(evutil_socket_t, short, void* arg) { Invoke(static_cast<Timer*>(arg)->on_fire_); }

IoWatch::IoWatch(EventLoop& loop, int fd, Io what, std::function<void()> on_ready)
    : on_ready_(std::make_shared<std::function<void()>>(std::move(on_ready))),
      ev_(event_new(loop.base(), fd,
                    static_cast<short>((what == Io::kRead ? EV_READ : EV_WRITE) | EV_PERSIST),
                    &IoWatch::Ready, this)),
      fd_(fd) {}

IoWatch::~IoWatch() { event_free(ev_); }

Status IoWatch::Start() {
  if (event_add(ev_, nullptr) != 0)
    return Error(Errc::kIo, "event_add fd " + std::to_string(fd_) + " failed");
  return Ok();
}

void IoWatch::Stop() { event_del(ev_); }

bool IoWatch::active() const { return event_pending(ev_, EV_READ | EV_WRITE, nullptr) != 0; }

void IoWatch::Ready(evutil_socket_t, short, void* arg) {
  Invoke(static_cast<IoWatch*>(arg)->on_ready_);
}

SignalWatch::SignalWatch(EventLoop& loop, int signo, std::function<void()> on_signal)
    : on_signal_(std::make_shared<std::function<void()>>(std::move(on_signal))),
      ev_(evsignal_new(loop.base(), signo, &SignalWatch::Caught, this)),
      signo_(signo) {}

SignalWatch::~SignalWatch() { event_free(ev_); }

Status SignalWatch::Start() {
  if (event_add(ev_, nullptr) != 0)
    return Error(Errc::kIo, "event_add signal " + std::to_string(signo_) + " failed");
  return Ok();
}

void SignalWatch::Stop() { event_del(ev_); }

void SignalWatch::Caught(evutil_socket_t, short, void* arg) {
  Invoke(static_cast<SignalWatch*>(arg)->on_signal_);
}

}  // namespace nxt::sys
