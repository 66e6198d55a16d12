// Per-reason receive counters for operator status ("dropped_malformed"). A
// plain value the receive loop owns; see codec.h for the module's rules.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "wire/codec.h"

namespace nxt::wire {

struct DatagramCounters {
  uint64_t received = 0;  // decoded and handed on
  std::array<uint64_t, kDropReasonCount> dropped{};

  void CountReceived() { ++received; }
  void CountDrop(DropReason reason) { ++dropped[static_cast<size_t>(reason)]; }
  uint64_t dropped_by(DropReason reason) const { return dropped[static_cast<size_t>(reason)]; }
  uint64_t dropped_total() const {
    uint64_t n = 0;
    for (uint64_t v : dropped) n += v;
    return n;
  }
};

}  // namespace nxt::wire
