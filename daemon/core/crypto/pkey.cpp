#include "crypto/pkey.h"

#include <openssl/evp.h>

#include <string>
#include <utility>

#include "crypto/openssl_error.h"

namespace nxt::crypto::internal {
namespace {

Error WrongSize(const char* algorithm, std::string_view what, std::size_t size) {
  return Error(Errc::kInvalidArgument, std::string(algorithm) + " " + std::string(what) +
                                           " must be 32 bytes, got " + std::to_string(size));
}

}  // namespace

Pkey::~Pkey() { EVP_PKEY_free(pkey_); }

Pkey::Pkey(const Pkey& other) : pkey_(other.pkey_) {
  if (pkey_ != nullptr && EVP_PKEY_up_ref(pkey_) != 1) OpenSslFatal("EVP_PKEY_up_ref");
}

Pkey& Pkey::operator=(const Pkey& other) {
  if (this != &other) {
    Pkey copy(other);
    std::swap(pkey_, copy.pkey_);
  }
  return *this;
}

Pkey::Pkey(Pkey&& other) noexcept : pkey_(std::exchange(other.pkey_, nullptr)) {}

Pkey& Pkey::operator=(Pkey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
  }
  return *this;
}

Result<Pkey> Pkey::Generate(const char* algorithm) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm);
  if (key == nullptr) return OpenSslError(std::string(algorithm) + ": key generation");
  return Pkey(key);
}

Result<Pkey> Pkey::FromRawPublic(const char* algorithm, std::span<const uint8_t> bytes) {
  if (bytes.size() != kRawKeySize) return WrongSize(algorithm, "public key", bytes.size());
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key_ex(nullptr, algorithm, nullptr, bytes.data(), bytes.size());
  if (key == nullptr) return OpenSslError(std::string(algorithm) + ": public key import", Errc::kCorrupt);
  return Pkey(key);
}

Result<Pkey> Pkey::FromRawPrivate(const char* algorithm, std::span<const uint8_t> bytes) {
  if (bytes.size() != kRawKeySize) return WrongSize(algorithm, "private key", bytes.size());
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key_ex(nullptr, algorithm, nullptr, bytes.data(), bytes.size());
  if (key == nullptr) return OpenSslError(std::string(algorithm) + ": private key import", Errc::kCorrupt);
  return Pkey(key);
}

RawKey Pkey::RawPublic() const {
  RawKey out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey_, out.data(), &len) != 1 || len != out.size()) {
    OpenSslFatal("EVP_PKEY_get_raw_public_key");
  }
  return out;
}

RawKey Pkey::RawPrivate() const {
  RawKey out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(pkey_, out.data(), &len) != 1 || len != out.size()) {
    OpenSslFatal("EVP_PKEY_get_raw_private_key");
  }
  return out;
}

}  // namespace nxt::crypto::internal
