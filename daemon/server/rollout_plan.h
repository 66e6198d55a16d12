// Wave planning for rollouts (nxtctl push --wave): pure functions. A wave
// size is a count ("3") or a share of the hosts ("10%", at least one host);
// the failure threshold is a count ("1") or a share of the wave ("20%"), and a
// wave whose failures exceed it halts the rollout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nxt::server {

struct Amount {
  uint32_t value = 0;
  bool percent = false;
  std::string ToString() const { return std::to_string(value) + (percent ? "%" : ""); }
};

// "3" | "10%"; percent in 1..100; a count from `min_count`.
Result<Amount> ParseAmount(std::string_view text, uint32_t min_count);

// Splits `hosts` (in order) into waves of `size`; the last may be smaller.
std::vector<std::vector<std::string>> PlanWaves(const std::vector<std::string>& hosts, Amount size);

// True when `failed` failures in a wave of `wave_size` hosts exceed `max_failures`.
bool ExceedsFailures(uint32_t failed, uint32_t wave_size, Amount max_failures);

}  // namespace nxt::server
