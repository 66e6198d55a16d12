// nxt_crypto Ed25519 (RFC 8032) signatures: the publisher key that signs
// release manifests. Pure Ed25519 (no pre-hash, no context). Key pairs and
// public keys are cheap to copy (shared, immutable EVP_PKEY) and safe to use
// from several threads. Verification takes untrusted bytes of any length and
// only ever answers true or false.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "crypto/pkey.h"

namespace nxt::crypto {

inline constexpr std::size_t kEd25519SignatureSize = 64;  // bytes
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

class Ed25519PublicKey {
 public:
  // Exactly 32 bytes (kInvalidArgument otherwise). A well-sized but invalid
  // point is accepted here and simply never verifies anything.
  static Result<Ed25519PublicKey> FromBytes(std::span<const uint8_t> bytes);

  const RawKey& Bytes() const { return bytes_; }
  friend bool operator==(const Ed25519PublicKey& a, const Ed25519PublicKey& b) { return a.bytes_ == b.bytes_; }

 private:
  friend class Ed25519KeyPair;
  friend bool Verify(const Ed25519PublicKey&, std::span<const uint8_t>, std::span<const uint8_t>);
  Ed25519PublicKey(internal::Pkey pkey, const RawKey& bytes) : pkey_(std::move(pkey)), bytes_(bytes) {}

  internal::Pkey pkey_;
  RawKey bytes_;
};

class Ed25519KeyPair {
 public:
  static Result<Ed25519KeyPair> Generate();
  // The 32-byte RFC 8032 secret (seed), as stored in a key file.
  static Result<Ed25519KeyPair> FromPrivateBytes(std::span<const uint8_t> seed);

  RawKey PublicKeyBytes() const { return public_key_.Bytes(); }
  const Ed25519PublicKey& PublicKey() const { return public_key_; }
  // The 32-byte seed, for writing a key file; wipe the copy after use.
  RawKey PrivateKeyBytes() const { return pkey_.RawPrivate(); }

  // Fails only if libcrypto does (e.g. out of memory), never because of msg.
  Result<Ed25519Signature> Sign(std::span<const uint8_t> msg) const;

 private:
  explicit Ed25519KeyPair(internal::Pkey pkey);

  internal::Pkey pkey_;
  Ed25519PublicKey public_key_;
};

// True iff `sig` is a valid signature of `msg` by `key`. Any sig length is
// accepted as input (only 64 can verify); never aborts, never throws.
bool Verify(const Ed25519PublicKey& key, std::span<const uint8_t> msg, std::span<const uint8_t> sig);

}  // namespace nxt::crypto
