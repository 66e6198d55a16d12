// Internal to nxt_artifact: small POSIX helpers (full reads/writes retrying
// EINTR and short counts, fsync, temp file + rename publication). Kept private
// on purpose: daemon/core/sys is growing the shared atomic-file helper, and
// these should be replaced by it once it lands. Not for use outside
// daemon/core/artifact.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace nxt::artifact::detail {

// Reads until `buf` is full or EOF; returns the bytes read (< size only at EOF).
Result<std::size_t> PreadFull(int fd, std::span<uint8_t> buf, off_t offset);
Status WriteAll(int fd, std::span<const uint8_t> bytes);
Status Fsync(int fd, std::string_view what);
Status FsyncDir(const std::string& dir);

// A temp file `<dir>/.<prefix>-XXXXXX.tmp`, unlinked on destruction unless
// published with RenameTo().
class TempFile {
 public:
  static Result<TempFile> Create(const std::string& dir, std::string_view prefix);
  ~TempFile();
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // fchmod + fsync + close + rename over `final_path`. The caller fsyncs the dir.
  Status Publish(const std::string& final_path, mode_t mode);

 private:
  TempFile(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;  // empty once published or moved from
};

// Writes `bytes` to `final_path` via a temp file in `dir`, fsyncs it, renames
// it and fsyncs `dir`.
Status WriteFileAtomically(const std::string& dir, const std::string& final_path,
                           std::span<const uint8_t> bytes, mode_t mode);

// Reads a whole file of at most `max_size` bytes (kCorrupt if larger).
Result<std::string> ReadSmallFile(const std::string& path, std::size_t max_size);

}  // namespace nxt::artifact::detail
