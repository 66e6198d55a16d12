#include "artifact/block_plan.h"

namespace nxt::artifact {

uint32_t BlockSizeFor(uint64_t size) {
  uint32_t block_size = kDefaultMinBlockSize;
  while (block_size < kMaxBlockSize && BlockCount(size, block_size) > kMaxPlannedBlocks) {
    block_size *= 2;
  }
  return block_size;
}

uint64_t BlockCount(uint64_t size, uint32_t block_size) {
  return size / block_size + (size % block_size != 0 ? 1 : 0);
}

bool IsValidBlockSize(uint32_t block_size) {
  bool power_of_two = block_size != 0 && (block_size & (block_size - 1)) == 0;
  return power_of_two && block_size >= kMinBlockSize && block_size <= kMaxBlockSize;
}

}  // namespace nxt::artifact
