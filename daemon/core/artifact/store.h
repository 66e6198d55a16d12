// The server's content-addressed artifact store. Layout of `dir`:
//   <sha256hex>            the payload, read-only (0440), named by its SHA-256
//   <sha256hex>.manifest   its serialized manifest (deterministic bytes)
//   .import-XXXXXX.tmp     an import in progress (removed by Prepare() if stale)
// A payload only becomes visible (renamed into place, dir fsynced) after its
// manifest is durable, so every listed payload has a manifest. The store never
// rewrites a payload: importing content that is already there is a no-op that
// returns the existing entry (its manifest, and so its manifest SHA-256,
// stays stable for clients resuming a transfer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "artifact/manifest.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "crypto/digest.h"
#include "nxt/wire.pb.h"

namespace nxt::artifact {

struct StoredArtifact {
  crypto::Digest sha256{};          // of the payload; its name in the store
  UniqueFd fd;                      // payload, O_RDONLY, for pread by the sender
  uint64_t size = 0;                // payload bytes
  wire::Manifest manifest;
  std::string manifest_bytes;       // exactly as stored and sent to clients
  crypto::Digest manifest_sha256{}; // of manifest_bytes, for the Offer
  bool already_present = false;     // Import() only: the content was stored before
};

class ArtifactStore {
 public:
  explicit ArtifactStore(std::string dir) : dir_(std::move(dir)) {}

  // Creates `dir` (0750) if missing and removes temp files left by an import
  // that was interrupted by a crash. Call once at start, before any Import().
  Status Prepare();

  // Copies the regular file `fd` (from offset 0, fstat size) into the store,
  // hashing it in the same pass, and stores its manifest. If info.sha256 is
  // set the content must match it (kCorrupt otherwise). Idempotent: the same
  // content again returns the existing entry with already_present = true and
  // its original manifest (info and created time of the first import).
  // Imports the bytes of `fd` from `offset` to its end (a bundle's payload
  // starts after its signed manifest), or only `length` bytes (one platform's
  // part of a multi-platform release).
  static constexpr uint64_t kToEnd = UINT64_MAX;
  Result<StoredArtifact> Import(int fd, wire::ArtifactInfo info, uint64_t created_unix_s, uint64_t offset = 0,
                                uint64_t length = kToEnd);

  // The stored payload and its manifest. kNotFound if absent; kCorrupt if the
  // manifest is missing, unparsable, or does not describe this payload.
  Result<StoredArtifact> Open(const crypto::Digest& sha256) const;

  // Re-hashes the stored payload (slow: reads it all). kCorrupt on mismatch.
  Status Verify(const crypto::Digest& sha256) const;

  // Digests of all stored payloads, sorted.
  Result<std::vector<crypto::Digest>> List() const;

  std::string PayloadPath(const crypto::Digest& sha256) const;
  std::string ManifestPath(const crypto::Digest& sha256) const;
  const std::string& dir() const { return dir_; }

 private:
  Status PublishManifest(const crypto::Digest& sha256, const std::string& bytes) const;

  std::string dir_;
};

}  // namespace nxt::artifact
