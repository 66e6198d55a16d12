#include "sys/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "base/unique_fd.h"

namespace nxt::sys {
namespace {

// Removes a temp file unless it was renamed into place.
class TempPath {
 public:
  explicit TempPath(std::string path) : path_(std::move(path)) {}
  ~TempPath() {
    if (!committed_) ::unlink(path_.c_str());
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::string& path() const { return path_; }
  void Commit() { committed_ = true; }

 private:
  std::string path_;
  bool committed_ = false;
};

// Six random hex digits, for temp names mkostemp cannot make (symlinks).
std::string RandomSuffix() {
  uint8_t bytes[3] = {};
  if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) {
    // getrandom cannot fail for 3 bytes after boot; the pid keeps names apart anyway.
    bytes[0] = static_cast<uint8_t>(getpid());
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x", bytes[0], bytes[1], bytes[2]);
  return buf;
}

Status WriteAll(int fd, const uint8_t* data, size_t size, const std::string& name) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + name);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

Status CloseChecked(UniqueFd fd, const std::string& name) {
  // close(2) can report a deferred write error (NFS, quota); not ignorable here.
  if (::close(fd.Release()) != 0) return ErrnoError("close " + name);
  return Ok();
}

}  // namespace

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoError("open " + dir);
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + dir);
  return Ok();
}

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> data, mode_t mode) {
  std::string tmpl = path + ".tmp.XXXXXX";
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd) return ErrnoError("mkostemp " + tmpl);
  TempPath tmp(tmpl);
  NXT_TRY(WriteAll(fd.get(), data.data(), data.size(), tmp.path()));
  if (::fchmod(fd.get(), mode) != 0) return ErrnoError("fchmod " + tmp.path());
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + tmp.path());
  NXT_TRY(CloseChecked(std::move(fd), tmp.path()));
  if (::rename(tmp.path().c_str(), path.c_str()) != 0)
    return ErrnoError("rename " + tmp.path() + " -> " + path);
  tmp.Commit();
  return FsyncDir(DirName(path));
}

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  return WriteFileAtomic(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()),
      mode);
}

Status RenameDurable(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoError("rename " + from + " -> " + to);
  NXT_TRY(FsyncDir(DirName(to)));
  if (DirName(from) != DirName(to)) NXT_TRY(FsyncDir(DirName(from)));
  return Ok();
}

Status ReplaceSymlinkAtomic(const std::string& target, const std::string& linkpath) {
  // Retry on the (unlikely) collision with a leftover temp link.
  for (int attempt = 0; attempt < 8; ++attempt) {
    TempPath tmp(linkpath + ".tmp." + RandomSuffix());
    if (::symlink(target.c_str(), tmp.path().c_str()) != 0) {
      if (errno == EEXIST) {
        tmp.Commit();  // not ours: leave it alone
        continue;
      }
      int err = errno;
      tmp.Commit();
      return ErrnoError("symlink " + tmp.path() + " -> " + target, err);
    }
    if (::rename(tmp.path().c_str(), linkpath.c_str()) != 0)
      return ErrnoError("rename " + tmp.path() + " -> " + linkpath);
    tmp.Commit();
    return FsyncDir(DirName(linkpath));
  }
  return Error(Errc::kBusy, "symlink " + linkpath + ".tmp.*: no free temp name");
}

Result<std::string> ReadSymlink(const std::string& linkpath) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlink(linkpath.c_str(), buf.data(), buf.size());
    if (n < 0) return ErrnoError("readlink " + linkpath);
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);  // may have been truncated
  }
}

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open " + path);
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read " + path);
    }
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return Error(Errc::kCorrupt,
                   "read " + path + ": larger than " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
}

Status EnsureDir(const std::string& path, mode_t mode) {
  if (path.empty()) return Error(Errc::kInvalidArgument, "mkdir: empty path");
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (prefix.empty() || prefix.back() == '/') continue;  // "//" or trailing "/"
    if (::mkdir(prefix.c_str(), mode) == 0) {
      NXT_TRY(FsyncDir(DirName(prefix)));
      continue;
    }
    if (errno != EEXIST) return ErrnoError("mkdir " + prefix);
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0) return ErrnoError("stat " + prefix);
    if (!S_ISDIR(st.st_mode))
      return Error(Errc::kInvalidArgument, "mkdir " + prefix + ": exists and is not a directory");
  }
  return Ok();
}

}  // namespace nxt::sys
