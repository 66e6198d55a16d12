// nxt_crypto key wrapping (ECIES over X25519 + HKDF-SHA256 + AES-256-GCM):
// seals a release's random 32-byte content key to one client's X25519 public
// key, so one encrypted payload serves many clients and only the targeted
// ones can decrypt it. Per wrap a fresh ephemeral key pair is made, and
//   kek = HKDF(ikm = X25519(eph, recipient), salt = eph_pub || recipient_pub,
//              info = "nxt wrap v1" || context, 32 bytes)
//   ciphertext = AES-256-GCM(kek, nonce = 12 zero bytes, aad = empty, content_key)
// The all-zero nonce is safe: each kek encrypts exactly one message. `context`
// binds the wrap to its use (e.g. the release's manifest hash); unwrapping
// with a different context fails like a wrong key.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "crypto/aead.h"
#include "crypto/x25519.h"

namespace nxt::crypto {

inline constexpr std::size_t kContentKeySize = 32;  // bytes: an AES-256 key
using ContentKey = std::array<uint8_t, kContentKeySize>;
// OpenSSL 3.0 HKDF caps info at 1024 bytes, of which "nxt wrap v1" takes 11.
inline constexpr std::size_t kWrapMaxContext = 1013;  // bytes

struct WrappedKey {
  static constexpr std::size_t kCiphertextSize = kContentKeySize + kAeadTagSize;
  static constexpr std::size_t kSize = kRawKeySize + kCiphertextSize;  // 80 bytes on the wire

  RawKey ephemeral_public{};
  std::array<uint8_t, kCiphertextSize> ciphertext{};

  // ephemeral_public || ciphertext, e.g. for a protobuf `bytes` field.
  std::string ToBytes() const;
  // Exactly kSize bytes (kCorrupt otherwise); contents are checked by UnwrapKey.
  static Result<WrappedKey> FromBytes(std::span<const uint8_t> bytes);
};

// kInvalidArgument if context is longer than kWrapMaxContext.
Result<WrappedKey> WrapKey(std::span<const uint8_t, kContentKeySize> content_key, const X25519PublicKey& recipient,
                           std::span<const uint8_t> context);

// kCorrupt if the wrap was made for another recipient or context, or any of
// its bytes was changed (including a low-order ephemeral key).
Result<ContentKey> UnwrapKey(const WrappedKey& wrapped, const X25519KeyPair& recipient,
                             std::span<const uint8_t> context);

}  // namespace nxt::crypto
