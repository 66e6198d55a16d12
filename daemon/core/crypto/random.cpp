#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "crypto/openssl_error.h"

namespace nxt::crypto {

Status RandomBytes(std::span<uint8_t> out) {
  // RAND_bytes takes an int length; step through larger buffers.
  constexpr std::size_t kStep = 1 << 20;  // 1 MiB, far below INT_MAX
  for (std::size_t off = 0; off < out.size(); off += kStep) {
    std::size_t n = std::min(kStep, out.size() - off);
    if (RAND_bytes(out.data() + off, static_cast<int>(n)) != 1) {
      return internal::OpenSslError("RAND_bytes");
    }
  }
  return Ok();
}

}  // namespace nxt::crypto
