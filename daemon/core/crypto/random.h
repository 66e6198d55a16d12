// nxt_crypto: cryptographically secure random bytes from OpenSSL's DRBG
// (seeded from getrandom(2)), for keys, content keys and session nonces.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"

namespace nxt::crypto {

// Fills `out` entirely, or returns an error (the DRBG could not be seeded);
// never returns partially filled output as success.
Status RandomBytes(std::span<uint8_t> out);

}  // namespace nxt::crypto
