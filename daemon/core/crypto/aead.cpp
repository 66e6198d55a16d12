#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstring>
#include <functional>
#include <string>

#include "crypto/openssl_error.h"

namespace nxt::crypto {
namespace {

// Fetched once (thread-safe static init), immutable, deliberately never freed
// (same reasoning as the SHA-256 EVP_MD in sha256.cpp).
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) internal::OpenSslFatal("EVP_CIPHER_fetch(AES-256-GCM)");
    return fetched;
  }();
  return cipher;
}

// OpenSSL refuses partially overlapping buffers; say so in our own words.
bool PartiallyOverlap(const uint8_t* in, std::size_t in_len, const uint8_t* out, std::size_t out_len) {
  if (in == out || in_len == 0 || out_len == 0) return false;
  std::less<const uint8_t*> before;
  return before(in, out + out_len) && before(out, in + in_len);
}

Result<evp_cipher_ctx_st*> NewKeyedCtx(std::span<const uint8_t> key, int enc) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return internal::OpenSslError("aead: EVP_CIPHER_CTX_new");
  // The key schedule is computed here once; per record only the IV changes.
  if (EVP_CipherInit_ex2(ctx, Aes256Gcm(), key.data(), nullptr, enc, nullptr) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return internal::OpenSslError("aead: cipher init");
  }
  return ctx;
}

// Feeds AAD then data through a context whose IV was just set; writes data.size() bytes.
bool Process(EVP_CIPHER_CTX* ctx, std::span<const uint8_t> aad, std::span<const uint8_t> in, uint8_t* out) {
  int len = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return false;
  }
  if (!in.empty() && EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size())) != 1) return false;
  return in.empty() || static_cast<std::size_t>(len) == in.size();  // GCM is a stream mode
}

Status CheckSizes(std::span<const uint8_t> aad, std::size_t data_len) {
  if (data_len > kAeadMaxPlaintext || aad.size() > kAeadMaxPlaintext) {
    return Error(Errc::kInvalidArgument, "aead: record larger than " + std::to_string(kAeadMaxPlaintext) + " bytes");
  }
  return Ok();
}

}  // namespace

void AeadKey::CtxFree::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

AeadKey::~AeadKey() = default;
AeadKey::AeadKey(AeadKey&&) noexcept = default;
AeadKey& AeadKey::operator=(AeadKey&&) noexcept = default;

Result<AeadKey> AeadKey::Create(std::span<const uint8_t> key) {
  if (key.size() != kAeadKeySize) {
    return Error(Errc::kInvalidArgument, "aead: key must be 32 bytes, got " + std::to_string(key.size()));
  }
  NXT_ASSIGN(evp_cipher_ctx_st* seal, NewKeyedCtx(key, 1));
  Ctx seal_ctx(seal);
  NXT_ASSIGN(evp_cipher_ctx_st* open, NewKeyedCtx(key, 0));
  return AeadKey(std::move(seal_ctx), Ctx(open));
}

Result<std::size_t> AeadKey::Seal(std::span<const uint8_t, kAeadNonceSize> nonce, std::span<const uint8_t> aad,
                                  std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
  NXT_TRY(CheckSizes(aad, plaintext.size()));
  const std::size_t n = plaintext.size();
  if (out.size() < n + kAeadTagSize) {
    return Error(Errc::kInvalidArgument, "aead: output buffer of " + std::to_string(out.size()) +
                                             " bytes cannot hold " + std::to_string(n + kAeadTagSize));
  }
  if (PartiallyOverlap(plaintext.data(), n, out.data(), n + kAeadTagSize)) {
    return Error(Errc::kInvalidArgument, "aead: output partially overlaps input");
  }
  EVP_CIPHER_CTX* ctx = seal_.get();
  uint8_t final_block[16];  // GCM's Final emits no bytes; a scratch target all the same
  int final_len = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) != 1 ||
      !Process(ctx, aad, plaintext, out.data()) || EVP_CipherFinal_ex(ctx, final_block, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagSize, out.data() + n) != 1) {
    return internal::OpenSslError("aead: seal");
  }
  return n + kAeadTagSize;
}

Result<std::size_t> AeadKey::Open(std::span<const uint8_t, kAeadNonceSize> nonce, std::span<const uint8_t> aad,
                                  std::span<const uint8_t> sealed, std::span<uint8_t> out) {
  if (sealed.size() < kAeadTagSize) {
    return Error(Errc::kCorrupt, "aead: sealed record of " + std::to_string(sealed.size()) +
                                     " bytes is shorter than its 16-byte tag");
  }
  const std::size_t n = sealed.size() - kAeadTagSize;
  NXT_TRY(CheckSizes(aad, n));
  if (out.size() < n) {
    return Error(Errc::kInvalidArgument, "aead: output buffer of " + std::to_string(out.size()) +
                                             " bytes cannot hold " + std::to_string(n));
  }
  if (PartiallyOverlap(sealed.data(), sealed.size(), out.data(), n)) {
    return Error(Errc::kInvalidArgument, "aead: output partially overlaps input");
  }
  std::array<uint8_t, kAeadTagSize> tag;
  std::memcpy(tag.data(), sealed.data() + n, tag.size());
  EVP_CIPHER_CTX* ctx = open_.get();
  uint8_t final_block[16];  // see Seal
  int final_len = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagSize, tag.data()) != 1 ||
      !Process(ctx, aad, sealed.first(n), out.data()) || EVP_CipherFinal_ex(ctx, final_block, &final_len) != 1) {
    // Forged or damaged: no unauthenticated plaintext may be used by mistake.
    if (n > 0) OPENSSL_cleanse(out.data(), n);
    ERR_clear_error();
    return Error(Errc::kCorrupt, "aead: authentication failed");
  }
  return n;
}

}  // namespace nxt::crypto
