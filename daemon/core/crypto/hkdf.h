// nxt_crypto HKDF-SHA256 (RFC 5869, extract-then-expand): turns X25519 shared
// secrets into AEAD keys. Callers bind both public keys into `salt` or `info`
// and use a distinct `info` label per purpose so keys never coincide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"

namespace nxt::crypto {

inline constexpr std::size_t kHkdfMaxLength = 255 * 32;  // bytes: RFC 5869 limit for SHA-256

// `length` output bytes, 1..kHkdfMaxLength (kInvalidArgument otherwise). An
// empty salt means HashLen zero bytes, as in the RFC. `ikm` must not be empty.
Result<std::vector<uint8_t>> Hkdf(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                                  std::span<const uint8_t> info, std::size_t length);

}  // namespace nxt::crypto
