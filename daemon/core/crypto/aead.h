// nxt_crypto AEAD: AES-256-GCM with a caller-chosen 96-bit nonce, for sealing
// datagrams and wrapped keys. An AeadKey keeps one initialised cipher context
// per direction, so a seal or open costs no allocation and no key schedule,
// only a nonce reset (the hot path of every datagram).
//
// The caller owns nonce uniqueness: never seal two messages with the same
// nonce under one key (a counter, re-keyed well before it wraps). Open()
// treats its input as hostile: any tampering is an error value, never an
// abort, and no unauthenticated plaintext is left in `out`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"

struct evp_cipher_ctx_st;  // EVP_CIPHER_CTX, kept out of this header

namespace nxt::crypto {

inline constexpr std::size_t kAeadKeySize = 32;    // bytes: AES-256
inline constexpr std::size_t kAeadNonceSize = 12;  // bytes: GCM's native 96-bit IV
inline constexpr std::size_t kAeadTagSize = 16;    // bytes: full-length GCM tag
// libcrypto takes int lengths; records are datagrams or chunks, far below this.
inline constexpr std::size_t kAeadMaxPlaintext = (std::size_t{1} << 30);  // 1 GiB
using AeadNonce = std::array<uint8_t, kAeadNonceSize>;

// Not thread-safe: one AeadKey per direction of a session per thread. Move-only.
class AeadKey {
 public:
  // `key` must be exactly kAeadKeySize bytes (kInvalidArgument otherwise).
  static Result<AeadKey> Create(std::span<const uint8_t> key);
  ~AeadKey();
  AeadKey(AeadKey&&) noexcept;
  AeadKey& operator=(AeadKey&&) noexcept;

  // Writes ciphertext || 16-byte tag into out[0, plaintext.size() + 16) and
  // returns that size. `out` may start at plaintext.data() (in place) but must
  // not otherwise overlap it; too small an `out` is kInvalidArgument.
  Result<std::size_t> Seal(std::span<const uint8_t, kAeadNonceSize> nonce, std::span<const uint8_t> aad,
                           std::span<const uint8_t> plaintext, std::span<uint8_t> out);

  // Checks and decrypts ciphertext || tag into out[0, sealed.size() - 16) and
  // returns that size. Same aliasing rule as Seal. A wrong key, nonce, AAD or
  // any flipped bit is kCorrupt ("aead: authentication failed") with out wiped.
  Result<std::size_t> Open(std::span<const uint8_t, kAeadNonceSize> nonce, std::span<const uint8_t> aad,
                           std::span<const uint8_t> sealed, std::span<uint8_t> out);

 private:
  struct CtxFree {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  using Ctx = std::unique_ptr<evp_cipher_ctx_st, CtxFree>;
  AeadKey(Ctx seal, Ctx open) : seal_(std::move(seal)), open_(std::move(open)) {}

  Ctx seal_;
  Ctx open_;
};

}  // namespace nxt::crypto
