// nxt_crypto raw keys. RawKey (32 bytes) is the public name for key bytes in
// every nxt_crypto API. internal::Pkey is private to nxt_crypto: a
// reference-counted owner of an OpenSSL EVP_PKEY holding one raw key (Ed25519
// or X25519), so key objects can be copied freely (config lists, client
// tables) without re-importing bytes. EVP_PKEY is never modified after
// creation here, so sharing one across threads is safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"

struct evp_pkey_st;  // EVP_PKEY, kept out of headers

namespace nxt::crypto {

inline constexpr std::size_t kRawKeySize = 32;  // bytes: Ed25519 and X25519 keys alike
using RawKey = std::array<uint8_t, kRawKeySize>;

namespace internal {

class Pkey {
 public:
  Pkey() = default;
  explicit Pkey(evp_pkey_st* owned) : pkey_(owned) {}
  ~Pkey();
  Pkey(const Pkey& other);  // shares via EVP_PKEY_up_ref
  Pkey& operator=(const Pkey& other);
  Pkey(Pkey&& other) noexcept;
  Pkey& operator=(Pkey&& other) noexcept;

  evp_pkey_st* get() const { return pkey_; }
  explicit operator bool() const { return pkey_ != nullptr; }

  // algorithm is an OpenSSL key type name: "ED25519" or "X25519".
  static Result<Pkey> Generate(const char* algorithm);
  static Result<Pkey> FromRawPublic(const char* algorithm, std::span<const uint8_t> bytes);
  static Result<Pkey> FromRawPrivate(const char* algorithm, std::span<const uint8_t> bytes);

  // Abort only if libcrypto cannot export a key it created (never input-driven).
  RawKey RawPublic() const;
  RawKey RawPrivate() const;

 private:
  evp_pkey_st* pkey_ = nullptr;
};

}  // namespace internal
}  // namespace nxt::crypto
