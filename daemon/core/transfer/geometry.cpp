#include "transfer/geometry.h"

#include <algorithm>
#include <string>

namespace nxt::transfer {
namespace {
uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
}  // namespace

Result<Geometry> Geometry::Make(uint64_t manifest_size, uint64_t payload_size,
                                uint32_t block_size, uint32_t chunk_size) {
  auto bad = [](const std::string& what) { return Error(Errc::kInvalidArgument, "geometry: " + what); };
  if (chunk_size < kMinChunk || chunk_size > kMaxChunk) return bad("chunk size out of range");
  if (block_size < chunk_size) return bad("block size smaller than chunk size");
  if (manifest_size == 0 || manifest_size > kMaxManifest) return bad("manifest size out of range");
  if (payload_size > kMaxPayload) return bad("payload too large");
  Geometry g;
  g.manifest_size_ = manifest_size;
  g.payload_size_ = payload_size;
  g.block_size_ = block_size;
  g.chunk_size_ = chunk_size;
  g.manifest_chunks_ = CeilDiv(manifest_size, chunk_size);
  g.chunks_per_block_ = CeilDiv(block_size, chunk_size);
  g.blocks_ = CeilDiv(payload_size, block_size);
  uint64_t payload_chunks = 0;
  if (g.blocks_ > 0) {
    uint64_t last_len = payload_size - (g.blocks_ - 1) * block_size;
    payload_chunks = (g.blocks_ - 1) * g.chunks_per_block_ + CeilDiv(last_len, chunk_size);
  }
  g.total_chunks_ = g.manifest_chunks_ + payload_chunks;
  return g;
}

ChunkSpan Geometry::Locate(uint64_t index) const {
  if (index < manifest_chunks_) {
    uint64_t off = index * chunk_size_;
    return {true, off, static_cast<uint32_t>(std::min<uint64_t>(chunk_size_, manifest_size_ - off)), 0};
  }
  uint64_t p = index - manifest_chunks_;
  uint64_t block = p / chunks_per_block_;
  uint64_t within = (p % chunks_per_block_) * chunk_size_;
  uint64_t off = block * block_size_ + within;
  uint64_t block_end = std::min<uint64_t>((block + 1) * block_size_, payload_size_);
  return {false, off, static_cast<uint32_t>(std::min<uint64_t>(chunk_size_, block_end - off)), block};
}

std::pair<uint64_t, uint64_t> Geometry::BlockChunks(uint64_t block) const {
  uint64_t first = manifest_chunks_ + block * chunks_per_block_;
  uint64_t end = std::min(first + chunks_per_block_, total_chunks_);
  return {first, end};
}

uint64_t Geometry::BlockLength(uint64_t block) const {
  uint64_t start = block * block_size_;
  return std::min<uint64_t>(block_size_, payload_size_ - start);
}

}  // namespace nxt::transfer
