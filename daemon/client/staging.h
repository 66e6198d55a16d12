// StagingFile: one release being received into staging/<sha256>.part.
//
// Payload chunks are written at their offset, runs of consecutive chunks
// coalesced into one pwrite of up to 256 KiB; the manifest is held in memory
// until its SHA-256 (from the Offer) checks out. Each payload block is
// verified against the signed manifest as soon as it is complete (hashed as
// it arrived when its chunks came in order, else read back from the file),
// so a bad block costs one block's refetch. The signed block
// hashes cover every byte, so a plain release needs no second whole-file
// hashing pass (an encrypted one gets it while it is decrypted into the
// store). Checkpoint() makes what was verified durable (fdatasync, then the
// state file via write-temp-fsync-rename), so a restart resumes from trusted
// bytes. Finalize() checks that every block verified and the size, fsyncs,
// and renames into store/<sha256>.so.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>
#include <string>

#include "artifact/release.h"
#include "base/clock.h"
#include "base/range_set.h"
#include "base/unique_fd.h"
#include "crypto/aead.h"
#include "crypto/sha256.h"
#include "crypto/wrap.h"
#include "nxt/wire.pb.h"
#include "transfer/geometry.h"

namespace nxt::client {

class StagingFile {
 public:
  // `policy` and `clock` outlive the StagingFile: the manifest is checked
  // against the trusted publishers and its expiry when it verifies.
  // `content_key`: the unwrapped key of an encrypted release (Offer.encrypted);
  // staging then holds only ciphertext, decrypted block by block to verify
  // and, once everything checked out, into the store.
  static Result<StagingFile> Open(const std::string& dir, const wire::Offer& offer, const transfer::Geometry& geom,
                                  const artifact::TrustPolicy& policy, const Clock& clock,
                                  const std::optional<crypto::ContentKey>& content_key = std::nullopt);

  // Chunks whose bytes are on disk and verified: safe to report as held.
  RangeSet Trusted() const;
  bool resumed() const { return resumed_; }
  Status Write(const transfer::ChunkSpan& span, std::string_view data);

  bool manifest_verified() const { return manifest_ok_; }
  // Call once every manifest chunk is written; false: hash mismatch, refetch
  // it; an error: the release is refused (unsigned, untrusted, expired, ...).
  Result<bool> VerifyManifest();
  // Requires a verified manifest. false: the block is corrupt, refetch it.
  Result<bool> VerifyBlock(uint64_t block);
  bool AllBlocksVerified() const { return verified_.count() == geom_.blocks(); }

  Status Checkpoint();
  // Returns the path in the store.
  Result<std::string> Finalize(const std::string& store_dir);
  void Discard();
  const std::string& sha_hex() const { return sha_hex_; }
  const wire::Manifest& manifest() const { return manifest_; }

 private:
  StagingFile() = default;
  Status LoadState();
  // Writes the coalesced run of chunks, if any.
  Status FlushWrites();
  void StreamHash(const transfer::ChunkSpan& span, std::span<const uint8_t> data);
  // Block `b` as plaintext (decrypted when the release is encrypted).
  Result<std::span<const uint8_t>> PlainBlock(uint64_t b);
  Result<std::string> FinalizeSealed(const std::string& dest);

  std::string dir_, sha_hex_, part_path_, state_path_, manifest_path_;
  const artifact::TrustPolicy* policy_ = nullptr;
  const Clock* clock_ = nullptr;
  wire::Offer offer_;
  transfer::Geometry geom_;
  UniqueFd fd_;
  std::string manifest_bytes_;
  wire::Manifest manifest_;
  bool manifest_ok_ = false, resumed_ = false;
  RangeSet verified_;          // payload block indexes
  std::vector<uint8_t> run_;   // consecutive payload chunks not yet written
  uint64_t run_offset_ = 0;    // payload offset of run_[0]
  static constexpr uint64_t kNoBlock = UINT64_MAX;
  crypto::Sha256 stream_;      // over stream_block_ from its start up to stream_next_
  uint64_t stream_block_ = kNoBlock, stream_next_ = 0;
  std::string block_buf_;
  std::vector<uint8_t> plain_buf_;
  std::optional<crypto::AeadKey> content_key_;  // encrypted release
};

}  // namespace nxt::client
