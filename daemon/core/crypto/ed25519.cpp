#include "crypto/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "crypto/openssl_error.h"

namespace nxt::crypto {
namespace {

constexpr const char* kAlgorithm = "ED25519";

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// libcrypto may not like a null data pointer even with length 0.
const uint8_t* DataOrEmpty(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

}  // namespace

Result<Ed25519PublicKey> Ed25519PublicKey::FromBytes(std::span<const uint8_t> bytes) {
  NXT_ASSIGN(internal::Pkey pkey, internal::Pkey::FromRawPublic(kAlgorithm, bytes));
  RawKey raw{};
  std::copy(bytes.begin(), bytes.end(), raw.begin());
  return Ed25519PublicKey(std::move(pkey), raw);
}

Ed25519KeyPair::Ed25519KeyPair(internal::Pkey pkey)
    : pkey_(std::move(pkey)), public_key_(pkey_, pkey_.RawPublic()) {}

Result<Ed25519KeyPair> Ed25519KeyPair::Generate() {
  NXT_ASSIGN(internal::Pkey pkey, internal::Pkey::Generate(kAlgorithm));
  return Ed25519KeyPair(std::move(pkey));
}

Result<Ed25519KeyPair> Ed25519KeyPair::FromPrivateBytes(std::span<const uint8_t> seed) {
  NXT_ASSIGN(internal::Pkey pkey, internal::Pkey::FromRawPrivate(kAlgorithm, seed));
  return Ed25519KeyPair(std::move(pkey));
}

Result<Ed25519Signature> Ed25519KeyPair::Sign(std::span<const uint8_t> msg) const {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return internal::OpenSslError("ed25519: EVP_MD_CTX_new");
  // Ed25519 hashes internally: no digest is given and the one-shot call is required.
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey_.get(), nullptr) != 1) {
    return internal::OpenSslError("ed25519: sign init");
  }
  Ed25519Signature sig{};
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, DataOrEmpty(msg), msg.size()) != 1 || len != sig.size()) {
    return internal::OpenSslError("ed25519: sign");
  }
  return sig;
}

bool Verify(const Ed25519PublicKey& key, std::span<const uint8_t> msg, std::span<const uint8_t> sig) {
  if (sig.size() != kEd25519SignatureSize || !key.pkey_) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  bool ok = ctx &&
            EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.pkey_.get(), nullptr) == 1 &&
            EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), DataOrEmpty(msg), msg.size()) == 1;
  // A bad signature queues an OpenSSL error; it is an answer, not a failure,
  // so leave no stale error behind for the next caller on this thread.
  ERR_clear_error();
  return ok;
}

}  // namespace nxt::crypto
