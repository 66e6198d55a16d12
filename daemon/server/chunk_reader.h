// ChunkReader: reads a transfer's chunks from the artifact file through a
// small read-ahead window, so a push costs one pread per 64 KiB instead of
// one per ~1.1 KiB chunk (a syscall is ~1 us here: 110 000 of them for
// 128 MiB). Resent chunks outside the window are read afresh. The window is
// per transfer and plain heap memory: unlike mmap it does not add the file's
// pages to the server's RSS, which stays independent of the file size.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"

namespace nxt::server {

class ChunkReader {
 public:
  static constexpr size_t kWindow = 64 * 1024;

  // Bytes [offset, offset + length) of the file `fd` of `size` bytes; valid
  // until the next call. length <= kWindow.
  Result<std::span<const uint8_t>> Read(int fd, uint64_t size, uint64_t offset, uint32_t length);

 private:
  std::vector<uint8_t> buf_;  // allocated on first use
  uint64_t start_ = 0;        // file offset of buf_[0]
  size_t filled_ = 0;
};

}  // namespace nxt::server
