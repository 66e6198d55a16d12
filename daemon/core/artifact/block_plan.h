// Block size policy for payloads. A block is the unit of verification: the
// manifest lists one SHA-256 per block, so a corrupt block costs one block's
// refetch. Fewer, larger blocks keep the manifest small; smaller blocks make
// a corrupt block cheaper. Pure arithmetic, no I/O.
#pragma once

#include <cstdint>

namespace nxt::artifact {

inline constexpr uint32_t kDefaultMinBlockSize = 256 * 1024;  // 256 KiB: ~1 ms of SHA-256
inline constexpr uint64_t kMaxPlannedBlocks = 4096;            // 4096 x 34 B hashes = 136 KiB manifest
// Bounds a manifest may declare (also for manifests made by other versions).
inline constexpr uint32_t kMinBlockSize = 64 * 1024;          // 64 KiB
inline constexpr uint32_t kMaxBlockSize = 64 * 1024 * 1024;   // 64 MiB
// Largest payload the policy covers within kMaxPlannedBlocks: 256 GiB.
inline constexpr uint64_t kMaxPlannedSize = uint64_t{kMaxBlockSize} * kMaxPlannedBlocks;

// 256 KiB, doubled until the payload needs at most 4096 blocks; capped at
// kMaxBlockSize (payloads above kMaxPlannedSize then need more blocks, and
// BuildManifest refuses them).
uint32_t BlockSizeFor(uint64_t size);

// ceil(size / block_size) without overflow; 0 for an empty payload.
// block_size must be non-zero.
uint64_t BlockCount(uint64_t size, uint32_t block_size);

// True for a power of two within [kMinBlockSize, kMaxBlockSize].
bool IsValidBlockSize(uint32_t block_size);

}  // namespace nxt::artifact
