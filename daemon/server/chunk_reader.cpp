#include "server/chunk_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace nxt::server {

Result<std::span<const uint8_t>> ChunkReader::Read(int fd, uint64_t size, uint64_t offset, uint32_t length) {
  if (length > kWindow || offset > size || length > size - offset)
    return Error(Errc::kInvalidArgument, "chunk read outside the artifact");
  if (offset < start_ || offset + length > start_ + filled_) {
    buf_.resize(kWindow);
    size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow, size - offset));
    size_t got = 0;
    while (got < want) {
      ssize_t n = pread(fd, buf_.data() + got, want - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        filled_ = 0;
        return ErrnoError("pread");
      }
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    start_ = offset;
    filled_ = got;
    if (got < length) return Error(Errc::kCorrupt, "artifact file shorter than its manifest");
  }
  return std::span<const uint8_t>(buf_.data() + (offset - start_), length);
}

}  // namespace nxt::server
