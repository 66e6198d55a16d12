// nxt_artifact manifests: what a receiver verifies a payload against — the
// artifact's identity, its size, block size and one SHA-256 per block.
//
// nxt_artifact owns manifests, the block size policy and the server's
// content-addressed store. It never touches the network or reads a clock, and
// never trusts a manifest from elsewhere until ParseManifest has checked every
// field it relies on (sizes, block count, hash lengths): parsing untrusted
// bytes returns an error, never aborts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "crypto/digest.h"
#include "crypto/sha256.h"
#include "nxt/wire.pb.h"

namespace nxt::artifact {

inline constexpr std::string_view kKindPlugin = "plugin";
// Bound for any manifest we make or accept by default: 4096 block hashes at
// 34 B each (136 KiB) plus the artifact's identity strings.
inline constexpr std::size_t kMaxManifestBytes = 192 * 1024;

struct ManifestAndDigest {
  wire::Manifest manifest;
  crypto::Digest sha256;  // of the whole payload; equals manifest.artifact().sha256()
};

// Builds a manifest from payload bytes fed in order, in pieces of any size:
// the streaming core shared by BuildManifest and ArtifactStore::Import, so a
// payload is hashed in the same pass that reads (or copies) it.
class ManifestBuilder {
 public:
  // `size`: exact payload length that will be fed; picks the block size.
  // If info.sha256 is set, Finish() fails unless the payload matches it.
  ManifestBuilder(uint64_t size, wire::ArtifactInfo info, uint64_t created_unix_s);

  void Update(std::span<const uint8_t> bytes);
  uint64_t fed() const { return fed_; }

  // kCorrupt if the bytes fed differ from `size` or from info.sha256;
  // kUnsupported above kMaxPlannedSize; kInvalidArgument if the artifact's
  // strings push the manifest past kMaxManifestBytes.
  Result<ManifestAndDigest> Finish();

 private:
  void EndBlock();

  wire::Manifest manifest_;
  crypto::Sha256 whole_;
  crypto::Sha256 block_;
  uint64_t size_;
  uint64_t fed_ = 0;
  uint64_t in_block_ = 0;  // bytes of the current block fed so far
};

// One pass over `fd` with pread(2) (1 MiB steps, from offset 0) hashing the
// first `size` bytes: kind "plugin", created at `created_unix_s`.
Result<ManifestAndDigest> BuildManifest(int fd, uint64_t size, wire::ArtifactInfo info,
                                        uint64_t created_unix_s);

// Deterministic bytes (same manifest -> same bytes -> same manifest SHA-256,
// which the Offer carries and resumed transfers rely on).
std::string SerializeManifest(const wire::Manifest& manifest);

// Parses untrusted bytes. kCorrupt unless: bytes <= max_size; it parses;
// artifact.sha256 is 32 bytes; block_size is a power of two in
// [64 KiB, 64 MiB]; the number of block hashes equals ceil(size/block_size);
// every block hash is 32 bytes.
Result<wire::Manifest> ParseManifest(std::span<const uint8_t> bytes,
                                     std::size_t max_size = kMaxManifestBytes);

}  // namespace nxt::artifact
