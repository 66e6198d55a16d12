#include "crypto/wrap.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <vector>

#include "crypto/hkdf.h"

namespace nxt::crypto {
namespace {

constexpr std::string_view kWrapLabel = "nxt wrap v1";
constexpr AeadNonce kZeroNonce{};  // safe: every key-encryption key seals exactly one message

// Key-encryption key for one (ephemeral, recipient, context) triple.
Result<AeadKey> DeriveKek(const X25519Shared& shared, const RawKey& eph_pub, const RawKey& recipient_pub,
                          std::span<const uint8_t> context) {
  if (context.size() > kWrapMaxContext) {
    return Error(Errc::kInvalidArgument, "wrap: context of " + std::to_string(context.size()) +
                                             " bytes exceeds " + std::to_string(kWrapMaxContext));
  }
  std::array<uint8_t, 2 * kRawKeySize> salt{};
  std::copy(eph_pub.begin(), eph_pub.end(), salt.begin());
  std::copy(recipient_pub.begin(), recipient_pub.end(), salt.begin() + kRawKeySize);
  std::vector<uint8_t> info(kWrapLabel.begin(), kWrapLabel.end());
  info.insert(info.end(), context.begin(), context.end());
  NXT_ASSIGN(std::vector<uint8_t> kek, Hkdf(shared, salt, info, kAeadKeySize));
  auto key = AeadKey::Create(kek);
  OPENSSL_cleanse(kek.data(), kek.size());
  return key;
}

}  // namespace

std::string WrappedKey::ToBytes() const {
  std::string out(kSize, '\0');
  std::copy(ephemeral_public.begin(), ephemeral_public.end(), out.begin());
  std::copy(ciphertext.begin(), ciphertext.end(), out.begin() + kRawKeySize);
  return out;
}

Result<WrappedKey> WrappedKey::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return Error(Errc::kCorrupt, "wrapped key must be " + std::to_string(kSize) + " bytes, got " +
                                     std::to_string(bytes.size()));
  }
  WrappedKey out;
  std::copy_n(bytes.begin(), kRawKeySize, out.ephemeral_public.begin());
  std::copy_n(bytes.begin() + kRawKeySize, kCiphertextSize, out.ciphertext.begin());
  return out;
}

Result<WrappedKey> WrapKey(std::span<const uint8_t, kContentKeySize> content_key, const X25519PublicKey& recipient,
                           std::span<const uint8_t> context) {
  NXT_ASSIGN(X25519KeyPair ephemeral, X25519KeyPair::Generate());
  auto shared = Agree(ephemeral, recipient);
  if (!shared.ok()) return std::move(shared).error().WithContext("wrap");
  WrappedKey out;
  out.ephemeral_public = ephemeral.PublicKeyBytes();
  auto kek = DeriveKek(*shared, out.ephemeral_public, recipient.Bytes(), context);
  OPENSSL_cleanse(shared->data(), shared->size());
  if (!kek.ok()) return std::move(kek).error();
  NXT_ASSIGN(std::size_t n, kek->Seal(kZeroNonce, {}, content_key, out.ciphertext));
  (void)n;  // always kCiphertextSize
  return out;
}

Result<ContentKey> UnwrapKey(const WrappedKey& wrapped, const X25519KeyPair& recipient,
                             std::span<const uint8_t> context) {
  NXT_ASSIGN(X25519PublicKey ephemeral, X25519PublicKey::FromBytes(wrapped.ephemeral_public));
  auto shared = Agree(recipient, ephemeral);
  if (!shared.ok()) return std::move(shared).error().WithContext("unwrap");
  auto kek = DeriveKek(*shared, wrapped.ephemeral_public, recipient.PublicKeyBytes(), context);
  OPENSSL_cleanse(shared->data(), shared->size());
  if (!kek.ok()) return std::move(kek).error();
  ContentKey key{};
  auto opened = kek->Open(kZeroNonce, {}, wrapped.ciphertext, key);
  if (!opened.ok()) {
    return Error(Errc::kCorrupt, "unwrap: wrapped key is not for this recipient and context, or was altered");
  }
  return key;
}

}  // namespace nxt::crypto
