// A payload encrypted once for a deployment with a random content key, so
// the bytes stay confidential in transit and at rest in the hosts' staging
// area, and one stream serves every target (each gets the key wrapped to its
// own X25519 identity). Block b of the plaintext becomes
//   AES-256-GCM(content key, nonce = b as 12 big-endian bytes,
//               aad = "nxt payload v1" || plaintext SHA-256, block b)
// i.e. block_size + 16 bytes, so sealed blocks line up with the manifest's
// plaintext blocks and each verifies on its own.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "crypto/aead.h"

namespace nxt::artifact {

inline constexpr uint32_t kSealedBlockOverhead = crypto::kAeadTagSize;

uint64_t SealedSize(uint64_t plain_size, uint32_t block_size);

// Reads `plain_fd` and writes the sealed payload to `path` (temp, fsync,
// rename); returns it opened read-only.
Result<UniqueFd> WriteSealedPayload(int plain_fd, uint64_t plain_size, uint32_t block_size,
                                    crypto::AeadKey& key, std::span<const uint8_t> payload_sha256,
                                    const std::string& path);

// Opens sealed block `block`; `out` gets the plaintext. An error when it does
// not authenticate (wrong key, or bytes changed).
Result<size_t> OpenSealedBlock(crypto::AeadKey& key, uint64_t block, std::span<const uint8_t> payload_sha256,
                               std::span<const uint8_t> sealed, std::span<uint8_t> out);

}  // namespace nxt::artifact
