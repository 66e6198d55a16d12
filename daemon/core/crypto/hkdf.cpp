#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <string>

#include "crypto/openssl_error.h"

namespace nxt::crypto {
namespace {

// Fetched once (thread-safe static init), immutable, deliberately never freed
// (same reasoning as the SHA-256 EVP_MD in sha256.cpp).
EVP_KDF* HkdfKdf() {
  static EVP_KDF* const kdf = [] {
    EVP_KDF* fetched = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (fetched == nullptr) internal::OpenSslFatal("EVP_KDF_fetch(HKDF)");
    return fetched;
  }();
  return kdf;
}

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

// OSSL_PARAM wants non-const pointers even for inputs it only reads.
OSSL_PARAM Octets(const char* name, std::span<const uint8_t> bytes) {
  return OSSL_PARAM_construct_octet_string(name, const_cast<uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

Result<std::vector<uint8_t>> Hkdf(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                                  std::span<const uint8_t> info, std::size_t length) {
  if (length == 0 || length > kHkdfMaxLength) {
    return Error(Errc::kInvalidArgument, "hkdf: output length must be 1.." + std::to_string(kHkdfMaxLength) +
                                             " bytes, got " + std::to_string(length));
  }
  if (ikm.empty()) return Error(Errc::kInvalidArgument, "hkdf: input key material is empty");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(HkdfKdf()));
  if (!ctx) return internal::OpenSslError("hkdf: EVP_KDF_CTX_new");

  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = Octets(OSSL_KDF_PARAM_KEY, ikm);
  // Unset salt == zero-length salt == HashLen zeros (RFC 5869 section 2.2).
  if (!salt.empty()) params[n++] = Octets(OSSL_KDF_PARAM_SALT, salt);
  if (!info.empty()) params[n++] = Octets(OSSL_KDF_PARAM_INFO, info);
  params[n] = OSSL_PARAM_construct_end();

  std::vector<uint8_t> out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return internal::OpenSslError("hkdf: derive", Errc::kInvalidArgument);
  }
  return out;
}

}  // namespace nxt::crypto
