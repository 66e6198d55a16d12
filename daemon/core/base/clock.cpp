#include "base/clock.h"

#include <ctime>

namespace nxt {

TimeUs SystemClock::NowUs() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<TimeUs>(ts.tv_sec) * kUsPerSec + static_cast<TimeUs>(ts.tv_nsec) / 1000;
}

uint64_t SystemClock::UnixMs() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

}  // namespace nxt
