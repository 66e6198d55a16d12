// When a verified release becomes the running one (client config key
// `activation`): "immediate" follows the push (activate now, or stage when the
// push says --later), "manual" stages everything until `nxtctl activate`,
// "window HH:MM-HH:MM" stages everything and activates by itself inside that
// daily window of local time. Pure: parsing and time-of-day arithmetic only;
// the caller passes local time, so tests need no clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nxt::client {

struct ActivationPolicy {
  enum class Kind { kImmediate, kManual, kWindow };
  Kind kind = Kind::kImmediate;
  uint32_t start_min = 0;  // minutes after local midnight
  uint32_t end_min = 0;    // exclusive; below start_min: the window crosses midnight

  bool stages_everything() const { return kind != Kind::kImmediate; }
  // "immediate" | "manual" | "window 22:00-04:30"
  std::string ToString() const;
  // `ms_of_day`: local milliseconds since midnight, [0, 86'400'000).
  bool InWindow(uint64_t ms_of_day) const;
  // Milliseconds until the window next opens; 0 while it is open.
  uint64_t MsUntilOpen(uint64_t ms_of_day) const;
};

Result<ActivationPolicy> ParseActivationPolicy(std::string_view text);

// Local milliseconds since midnight at `unix_ms` (the TZ environment applies).
uint64_t LocalMsOfDay(uint64_t unix_ms);

inline constexpr uint64_t kMsPerDay = 86'400'000;

}  // namespace nxt::client
