// nxt_crypto key files: one key per file, one line of key text (key_text.h).
// Private key files are created mode 0600, atomically (an O_EXCL temporary in
// the same directory, fsync, then link/rename, then fsync of the directory),
// and are refused on read unless only their owner — the reading user — can
// access them, like ssh refuses a loose identity file. Public key files are
// mode 0644 and read whatever their mode. Every error names the file and never
// contains key bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "crypto/key_text.h"

namespace nxt::crypto {

// kNo: an existing file is an error (a daemon's identity key is never
// silently replaced); kYes: atomically replace it (e.g. `keygen --force`).
enum class Replace { kNo, kYes };

// `key` must be 32 bytes. An existing `path` with Replace::kNo is kBusy
// ("key file P already exists; not replacing it").
Status WritePrivateKeyFile(const std::string& path, std::span<const uint8_t> key, KeyType type,
                           Replace replace = Replace::kNo);
Status WritePublicKeyFile(const std::string& path, std::span<const uint8_t> key, KeyType type,
                          Replace replace = Replace::kNo);

// kPermission if group/others have any access ("key file P is readable by
// group or others (mode 0644); chmod 600 it") or if the file is not owned by
// the effective uid; kNotFound if missing; kInvalidArgument if malformed or
// of another key type. Wipes its read buffers.
Result<RawKey> ReadPrivateKeyFile(const std::string& path, KeyType type);
Result<RawKey> ReadPublicKeyFile(const std::string& path, KeyType type);

}  // namespace nxt::crypto
