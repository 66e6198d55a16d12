// nxt_crypto base64 (RFC 4648, standard alphabet, '=' padding) for key text.
// Decoding is strict, because key text comes from files and config that an
// operator may have mangled: no whitespace, no missing or extra padding, no
// non-zero pad bits — each encoding of bytes is exactly one string.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nxt::crypto {

std::string Base64Encode(std::span<const uint8_t> bytes);

// kInvalidArgument naming the first problem (length, character and its offset, padding).
Result<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace nxt::crypto
