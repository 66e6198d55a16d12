// nxt_crypto key text: the one-line form of nxt keys, as in key files and in
// config (e.g. a client's pinned server key or trusted publisher keys):
//   nxt-ed25519-public  <base64 of 32 bytes>
//   nxt-ed25519-private <base64 of 32 bytes>
//   nxt-x25519-public   <base64 of 32 bytes>
//   nxt-x25519-private  <base64 of 32 bytes>
// (one space between label and base64), and key fingerprints for operators
// ("ed25519:3f2a9c01d4b7e655"). Parsing is strict and never aborts; logs and
// nxtctl print fingerprints, never keys.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "crypto/pkey.h"

namespace nxt::crypto {

enum class KeyType { kEd25519, kX25519 };
enum class KeyPart { kPublic, kPrivate };

// "ed25519" / "x25519".
std::string_view KeyTypeName(KeyType type);
// "nxt-ed25519-public" etc.
std::string KeyLabel(KeyType type, KeyPart part);

// "<label> <base64>" without a newline.
std::string FormatKey(KeyType type, KeyPart part, std::span<const uint8_t> key);

// Inverse of FormatKey; one trailing "\n" is tolerated, nothing else. Errors
// are kInvalidArgument and say what was expected, e.g. "holds an
// nxt-x25519-public key, expected nxt-ed25519-public". Never echoes key bytes.
Result<RawKey> ParseKey(KeyType type, KeyPart part, std::string_view text);

// "<type>:" + the first 16 hex digits (64 bits) of SHA-256(public_key).
std::string Fingerprint(KeyType type, std::span<const uint8_t> public_key);

}  // namespace nxt::crypto
