#include "crypto/key_text.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <vector>

#include "crypto/base64.h"
#include "crypto/digest.h"
#include "crypto/sha256.h"

namespace nxt::crypto {
namespace {

constexpr std::size_t kFingerprintHexDigits = 16;  // 64 bits: enough to tell keys apart by eye

std::string_view PartName(KeyPart part) { return part == KeyPart::kPublic ? "public" : "private"; }

Error Malformed(KeyType type, KeyPart part, std::string_view problem) {
  return Error(Errc::kInvalidArgument, std::string(problem) + "; expected one line '" + KeyLabel(type, part) +
                                           " <base64 of 32 bytes>'");
}

// The label of some other nxt key kind, if the text starts with one.
std::string OtherLabel(std::string_view label) {
  for (KeyType t : {KeyType::kEd25519, KeyType::kX25519}) {
    for (KeyPart p : {KeyPart::kPublic, KeyPart::kPrivate}) {
      if (label == KeyLabel(t, p)) return std::string(label);
    }
  }
  return {};
}

}  // namespace

std::string_view KeyTypeName(KeyType type) { return type == KeyType::kEd25519 ? "ed25519" : "x25519"; }

std::string KeyLabel(KeyType type, KeyPart part) {
  return "nxt-" + std::string(KeyTypeName(type)) + "-" + std::string(PartName(part));
}

std::string FormatKey(KeyType type, KeyPart part, std::span<const uint8_t> key) {
  return KeyLabel(type, part) + " " + Base64Encode(key);
}

Result<RawKey> ParseKey(KeyType type, KeyPart part, std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return Malformed(type, part, "no space between label and key");
  std::string_view label = text.substr(0, space);
  std::string expected = KeyLabel(type, part);
  if (label != expected) {
    std::string other = OtherLabel(label);
    if (!other.empty()) {
      return Error(Errc::kInvalidArgument, "holds an " + other + " key, expected " + expected);
    }
    return Malformed(type, part, "unknown label");
  }
  auto decoded = Base64Decode(text.substr(space + 1));
  if (!decoded.ok()) return Malformed(type, part, decoded.error().message());
  std::vector<uint8_t> bytes = std::move(decoded).value();
  if (bytes.size() != kRawKeySize) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return Malformed(type, part, "key is " + std::to_string(bytes.size()) + " bytes");
  }
  RawKey key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

std::string Fingerprint(KeyType type, std::span<const uint8_t> public_key) {
  return std::string(KeyTypeName(type)) + ":" + ToHex(Sha256Of(public_key)).substr(0, kFingerprintHexDigits);
}

}  // namespace nxt::crypto
