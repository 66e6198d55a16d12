// Test helpers for nxt_crypto: hex literals for standard vectors, and a
// deterministic stream of garbage for the "never crashes on hostile bytes" tests.
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace nxt::crypto::testing {

inline std::vector<uint8_t> Unhex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::invalid_argument("bad hex in a test vector");
  };
  std::vector<uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

// Fixed seed: a failure reproduces.
class Garbage {
 public:
  std::vector<uint8_t> Bytes(std::size_t n) {
    std::vector<uint8_t> out(n);
    for (auto& b : out) b = static_cast<uint8_t>(rng_());
    return out;
  }
  std::size_t Below(std::size_t n) { return rng_() % n; }

 private:
  std::mt19937_64 rng_{20240601};
};

}  // namespace nxt::crypto::testing
