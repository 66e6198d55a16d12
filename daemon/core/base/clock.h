// Injected time (STYLE.md rule 5). Protocol logic never reads a clock itself:
// the event-loop glue reads it once per pass and passes `now` down. Unit tests
// use FakeClock and never sleep.
#pragma once

#include <cstdint>

namespace nxt {

// Microseconds on a monotonic clock. Only differences are meaningful.
using TimeUs = uint64_t;
inline constexpr TimeUs kUsPerMs = 1000;
inline constexpr TimeUs kUsPerSec = 1000 * 1000;
inline constexpr TimeUs kNever = UINT64_MAX;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeUs NowUs() const = 0;        // monotonic
  virtual uint64_t UnixMs() const = 0;     // wall clock, for display and leases shown to operators
};

// CLOCK_MONOTONIC / CLOCK_REALTIME.
class SystemClock final : public Clock {
 public:
  TimeUs NowUs() const override;
  uint64_t UnixMs() const override;
};

// Advanced by hand in tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeUs start = 1'000'000) : now_(start) {}
  TimeUs NowUs() const override { return now_; }
  uint64_t UnixMs() const override { return 1'700'000'000'000ULL + now_ / 1000; }
  void Advance(TimeUs us) { now_ += us; }
  void Set(TimeUs us) { now_ = us; }

 private:
  TimeUs now_;
};

}  // namespace nxt
