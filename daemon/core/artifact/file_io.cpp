#include "artifact/file_io.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace nxt::artifact::detail {

Result<std::size_t> PreadFull(int fd, std::span<uint8_t> buf, off_t offset) {
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, offset + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("pread");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Status WriteAll(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write");
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return Ok();
}

Status Fsync(int fd, std::string_view what) {
  if (::fsync(fd) != 0) return ErrnoError("fsync " + std::string(what));
  return Ok();
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoError("open dir " + dir);
  return Fsync(fd.get(), dir);
}

Result<TempFile> TempFile::Create(const std::string& dir, std::string_view prefix) {
  constexpr int kSuffixLen = 4;  // ".tmp"
  std::string path = dir + "/." + std::string(prefix) + "-XXXXXX.tmp";
  UniqueFd fd(::mkostemps(path.data(), kSuffixLen, O_CLOEXEC));
  if (!fd) return ErrnoError("create temp file in " + dir);
  return TempFile(std::move(fd), std::move(path));
}

TempFile::~TempFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::move(other.fd_)), path_(std::exchange(other.path_, std::string())) {}

Status TempFile::Publish(const std::string& final_path, mode_t mode) {
  if (::fchmod(fd_.get(), mode) != 0) return ErrnoError("fchmod " + path_);
  NXT_TRY(Fsync(fd_.get(), path_));
  fd_.Reset();
  if (::rename(path_.c_str(), final_path.c_str()) != 0) {
    return ErrnoError("rename " + path_ + " -> " + final_path);
  }
  path_.clear();
  return Ok();
}

Status WriteFileAtomically(const std::string& dir, const std::string& final_path,
                           std::span<const uint8_t> bytes, mode_t mode) {
  NXT_ASSIGN(TempFile tmp, TempFile::Create(dir, "write"));
  if (auto s = WriteAll(tmp.fd(), bytes); !s.ok()) return std::move(s).error().WithContext(tmp.path());
  NXT_TRY(tmp.Publish(final_path, mode));
  return FsyncDir(dir);
}

Result<std::string> ReadSmallFile(const std::string& path, std::size_t max_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open " + path);
  // Read one byte beyond the limit to tell "exactly max" from "too large".
  std::string out(max_size + 1, '\0');
  auto n = PreadFull(fd.get(), std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()), 0);
  if (!n.ok()) return std::move(n).error().WithContext(path);
  if (*n > max_size) {
    return Error(Errc::kCorrupt, path + ": larger than " + std::to_string(max_size) + " bytes");
  }
  out.resize(*n);
  return out;
}

}  // namespace nxt::artifact::detail
