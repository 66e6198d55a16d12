// nxt_crypto: the SHA-256 digest value type and its encodings (hex for file
// names, logs and operators; raw 32 bytes for protobuf `bytes` fields).
// Parsing functions take untrusted input and return errors, never abort.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nxt::crypto {

inline constexpr std::size_t kSha256Size = 32;  // bytes
using Digest = std::array<uint8_t, kSha256Size>;

// Views the bytes of a std::string / protobuf `bytes` field without copying.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Lower-case hex, two characters per byte.
std::string ToHex(std::span<const uint8_t> bytes);

// Exactly 64 hex digits (either case) -> Digest; anything else is kInvalidArgument.
Result<Digest> FromHex(std::string_view hex);

// A protobuf `bytes` field holding a digest: must be exactly 32 bytes (kCorrupt otherwise).
Result<Digest> DigestFromBytes(std::string_view bytes);
// The 32 raw bytes, for setting a protobuf `bytes` field.
std::string DigestToBytes(const Digest& digest);

}  // namespace nxt::crypto
