// Releases: signing a manifest with a publisher's Ed25519 key, checking one
// against a client's trusted publishers, and the bundle file that carries a
// release signed off the server (`nxtctl sign` -> `nxtctl push bundle`):
//   "NXTBUNDLE1\n" || u32 big-endian length || SignedManifest || payload
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "crypto/ed25519.h"
#include "nxt/wire.pb.h"

namespace nxt::artifact {

inline constexpr std::string_view kBundleMagic = "NXTBUNDLE1\n";
inline constexpr size_t kMaxSignedManifestBytes = 256 * 1024;

// Signs `manifest` (already carrying product/version, expiry, downgrade flag).
Result<std::string> SignManifest(const wire::Manifest& manifest, const crypto::Ed25519KeyPair& key);
// The same wrapper without a signature (server without a publisher key).
std::string UnsignedManifest(const wire::Manifest& manifest);

struct TrustPolicy {
  std::vector<crypto::Ed25519PublicKey> trusted;
  bool require_signature = true;
};

// Parses SignedManifest bytes, checks the signature against the trusted keys
// and the expiry, and returns the manifest inside. Untrusted input.
Result<wire::Manifest> OpenSignedManifest(std::span<const uint8_t> bytes, const TrustPolicy& policy,
                                          uint64_t now_unix_s);
// Reads the manifest inside SignedManifest bytes without checking anything
// (the server, which ships what the publisher signed).
Result<wire::Manifest> PeekSignedManifest(std::span<const uint8_t> bytes);

struct BundleHeader {
  std::string signed_manifest;
  uint64_t payload_offset = 0;
};
// nullopt: not a bundle (a plain plug-in file).
Result<std::optional<BundleHeader>> ReadBundleHeader(int fd);
Status WriteBundle(const std::string& path, const std::string& signed_manifest, int payload_fd);

}  // namespace nxt::artifact
