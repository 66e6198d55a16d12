// nxt_crypto X25519 (RFC 7748) Diffie-Hellman: each daemon's identity key and
// the ephemeral keys of handshakes and key wrapping. Key pairs and public keys
// are cheap to copy (shared, immutable EVP_PKEY) and thread-safe to use.
// Agree() refuses peer keys that force an all-zero shared secret (low-order
// points), so a hostile peer cannot make two sessions share a known key.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "crypto/pkey.h"

namespace nxt::crypto {

inline constexpr std::size_t kX25519SharedSize = 32;  // bytes
using X25519Shared = std::array<uint8_t, kX25519SharedSize>;

class X25519KeyPair;

class X25519PublicKey {
 public:
  // Exactly 32 bytes (kInvalidArgument otherwise). Every 32-byte string is an
  // X25519 public key; low-order ones are caught by Agree().
  static Result<X25519PublicKey> FromBytes(std::span<const uint8_t> bytes);

  const RawKey& Bytes() const { return bytes_; }
  friend bool operator==(const X25519PublicKey& a, const X25519PublicKey& b) { return a.bytes_ == b.bytes_; }

 private:
  friend class X25519KeyPair;
  friend Result<X25519Shared> Agree(const X25519KeyPair&, const X25519PublicKey&);
  X25519PublicKey(internal::Pkey pkey, const RawKey& bytes) : pkey_(std::move(pkey)), bytes_(bytes) {}

  internal::Pkey pkey_;
  RawKey bytes_;
};

class X25519KeyPair {
 public:
  static Result<X25519KeyPair> Generate();
  // The 32-byte scalar as stored in a key file (clamped by X25519 itself).
  static Result<X25519KeyPair> FromPrivateBytes(std::span<const uint8_t> bytes);

  RawKey PublicKeyBytes() const { return public_key_.Bytes(); }
  const X25519PublicKey& PublicKey() const { return public_key_; }
  // For writing a key file; wipe the copy after use.
  RawKey PrivateKeyBytes() const { return pkey_.RawPrivate(); }

 private:
  friend Result<X25519Shared> Agree(const X25519KeyPair&, const X25519PublicKey&);
  explicit X25519KeyPair(internal::Pkey pkey);

  internal::Pkey pkey_;
  X25519PublicKey public_key_;
};

// The raw X25519 shared secret. Never use it directly as a key: feed it to
// Hkdf() together with both public keys. kCorrupt if `theirs` is a low-order
// point (the result would be all zeros).
Result<X25519Shared> Agree(const X25519KeyPair& mine, const X25519PublicKey& theirs);

}  // namespace nxt::crypto
