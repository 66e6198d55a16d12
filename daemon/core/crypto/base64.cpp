#include "crypto/base64.h"

#include <openssl/evp.h>

#include <climits>

namespace nxt::crypto {
namespace {

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

Error Bad(std::string what) { return Error(Errc::kInvalidArgument, "base64: " + std::move(what)); }

// Padding count of a length-checked string, or an error for a misplaced '='.
Result<std::size_t> CheckCharacters(std::string_view text) {
  std::size_t pads = 0;
  if (text.ends_with("==")) {
    pads = 2;
  } else if (text.ends_with('=')) {
    pads = 1;
  }
  for (std::size_t i = 0; i + pads < text.size(); ++i) {
    if (!IsBase64Char(text[i])) {
      return Bad(text[i] == '=' ? "misplaced '=' padding at offset " + std::to_string(i)
                                : "invalid character at offset " + std::to_string(i));
    }
  }
  return pads;
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return {};
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // +1: EVP_EncodeBlock writes a NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  if (text.empty()) return std::vector<uint8_t>{};
  if (text.size() % 4 != 0) return Bad("length " + std::to_string(text.size()) + " is not a multiple of 4");
  if (text.size() > INT_MAX / 2) return Bad("text too long");
  NXT_ASSIGN(std::size_t pads, CheckCharacters(text));
  std::vector<uint8_t> out(text.size() / 4 * 3);
  // EVP_DecodeBlock counts '=' as zero bytes: 3 per group, trimmed below.
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return Bad("undecodable text");
  out.resize(out.size() - pads);
  // Non-zero bits under the padding would give a second spelling of the same bytes.
  if (Base64Encode(out) != text) return Bad("non-canonical padding bits");
  return out;
}

}  // namespace nxt::crypto
