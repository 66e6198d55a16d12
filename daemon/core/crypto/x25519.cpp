#include "crypto/x25519.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "crypto/openssl_error.h"

namespace nxt::crypto {
namespace {

constexpr const char* kAlgorithm = "X25519";

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

Error LowOrderPeer() {
  return Error(Errc::kCorrupt, "x25519: peer public key is a low-order point (all-zero shared secret)");
}

}  // namespace

Result<X25519PublicKey> X25519PublicKey::FromBytes(std::span<const uint8_t> bytes) {
  NXT_ASSIGN(internal::Pkey pkey, internal::Pkey::FromRawPublic(kAlgorithm, bytes));
  RawKey raw{};
  std::copy(bytes.begin(), bytes.end(), raw.begin());
  return X25519PublicKey(std::move(pkey), raw);
}

X25519KeyPair::X25519KeyPair(internal::Pkey pkey)
    : pkey_(std::move(pkey)), public_key_(pkey_, pkey_.RawPublic()) {}

Result<X25519KeyPair> X25519KeyPair::Generate() {
  NXT_ASSIGN(internal::Pkey pkey, internal::Pkey::Generate(kAlgorithm));
  return X25519KeyPair(std::move(pkey));
}

Result<X25519KeyPair> X25519KeyPair::FromPrivateBytes(std::span<const uint8_t> bytes) {
  NXT_ASSIGN(internal::Pkey pkey, internal::Pkey::FromRawPrivate(kAlgorithm, bytes));
  return X25519KeyPair(std::move(pkey));
}

Result<X25519Shared> Agree(const X25519KeyPair& mine, const X25519PublicKey& theirs) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine.pkey_.get(), nullptr));
  if (!ctx) return internal::OpenSslError("x25519: EVP_PKEY_CTX_new");
  if (EVP_PKEY_derive_init(ctx.get()) != 1) return internal::OpenSslError("x25519: derive init");
  if (EVP_PKEY_derive_set_peer(ctx.get(), theirs.pkey_.get()) != 1) {
    return internal::OpenSslError("x25519: set peer", Errc::kCorrupt);
  }
  X25519Shared shared{};
  std::size_t len = shared.size();
  if (EVP_PKEY_derive(ctx.get(), shared.data(), &len) != 1) {
    // libcrypto itself refuses an all-zero result; any other derive failure
    // for two well-formed X25519 keys has no other cause.
    ERR_clear_error();
    return LowOrderPeer();
  }
  static constexpr X25519Shared kZero{};
  if (len != shared.size() || CRYPTO_memcmp(shared.data(), kZero.data(), shared.size()) == 0) {
    OPENSSL_cleanse(shared.data(), shared.size());
    return LowOrderPeer();
  }
  return shared;
}

}  // namespace nxt::crypto
