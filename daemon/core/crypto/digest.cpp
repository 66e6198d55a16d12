#include "crypto/digest.h"

#include <algorithm>

namespace nxt::crypto {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

Result<Digest> FromHex(std::string_view hex) {
  if (hex.size() != 2 * kSha256Size) {
    return Error(Errc::kInvalidArgument,
                 "sha256 hex must be 64 digits, got " + std::to_string(hex.size()) + " characters");
  }
  Digest out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Error(Errc::kInvalidArgument,
                   "sha256 hex has a non-hex character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

Result<Digest> DigestFromBytes(std::string_view bytes) {
  if (bytes.size() != kSha256Size) {
    return Error(Errc::kCorrupt, "sha256 must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  Digest out{};
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(out.data()));
  return out;
}

std::string DigestToBytes(const Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace nxt::crypto
