// Chunk geometry of one transfer. The object stream is the manifest followed
// by the payload; chunk indexes [0, manifest_chunks) carry the manifest, the
// rest carry the payload block by block. A chunk never straddles a payload
// block, so a block that fails its hash is refetched on its own.
#pragma once

#include <cstdint>
#include <utility>

#include "base/result.h"

namespace nxt::transfer {

struct ChunkSpan {
  bool manifest;     // true: bytes of the manifest; false: of the payload
  uint64_t offset;   // within the manifest or the payload
  uint32_t length;   // > 0
  uint64_t block;    // payload block index (meaningless for manifest chunks)
};

class Geometry {
 public:
  // Limits on what a peer may announce; keeps all arithmetic far from overflow.
  static constexpr uint64_t kMaxPayload = 1ULL << 40;      // 1 TiB
  static constexpr uint64_t kMaxManifest = 4ULL << 20;     // 4 MiB
  static constexpr uint32_t kMinChunk = 64;
  static constexpr uint32_t kMaxChunk = 65000;             // one UDP datagram

  static Result<Geometry> Make(uint64_t manifest_size, uint64_t payload_size,
                               uint32_t block_size, uint32_t chunk_size);
  Geometry() = default;

  uint64_t manifest_size() const { return manifest_size_; }
  uint64_t payload_size() const { return payload_size_; }
  uint32_t block_size() const { return block_size_; }
  uint32_t chunk_size() const { return chunk_size_; }

  uint64_t manifest_chunks() const { return manifest_chunks_; }
  uint64_t chunks_per_block() const { return chunks_per_block_; }
  uint64_t blocks() const { return blocks_; }
  uint64_t total_chunks() const { return total_chunks_; }

  // Precondition: index < total_chunks().
  ChunkSpan Locate(uint64_t index) const;
  // Chunk indexes [first, end) of payload block `block`.
  std::pair<uint64_t, uint64_t> BlockChunks(uint64_t block) const;
  // Byte length of payload block `block`.
  uint64_t BlockLength(uint64_t block) const;

 private:
  uint64_t manifest_size_ = 0, payload_size_ = 0;
  uint32_t block_size_ = 0, chunk_size_ = 0;
  uint64_t manifest_chunks_ = 0, chunks_per_block_ = 0, blocks_ = 0, total_chunks_ = 0;
};

}  // namespace nxt::transfer
