#include "crypto/key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/unique_fd.h"

namespace nxt::crypto {
namespace {

constexpr std::size_t kMaxKeyFileSize = 4096;  // bytes: a key line is ~65; anything big is not a key file
constexpr mode_t kPrivateMode = 0600;
constexpr mode_t kPublicMode = 0644;

std::string Named(const std::string& path) { return "key file " + path; }

// Clears secret text before its memory goes back to the allocator.
struct WipeOnExit {
  std::string& s;
  ~WipeOnExit() { OPENSSL_cleanse(s.data(), s.size()); }
};

// Unlinks the temporary unless it was moved into place.
struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep) ::unlink(path.c_str());
  }
};

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

Status SyncDirectoryOf(const std::string& path) {
  std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return ErrnoError("fsync directory " + dir);
  return Ok();
}

// Moves the finished temporary to `path`: link(2) refuses an existing target
// atomically (no check-then-act race between two first starts); rename(2) replaces.
Status Publish(TempFile& tmp, const std::string& path, Replace replace) {
  if (replace == Replace::kYes) {
    if (::rename(tmp.path.c_str(), path.c_str()) != 0) return ErrnoError("rename into place");
    tmp.keep = true;
    return Ok();
  }
  if (::link(tmp.path.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return Error(Errc::kBusy, "already exists; not replacing it");
    return ErrnoError("link into place");
  }
  // Drop the temporary name now, before the directory fsync makes it durable.
  ::unlink(tmp.path.c_str());
  tmp.keep = true;
  return Ok();
}

Status WriteKeyFile(const std::string& path, const std::string& text, mode_t mode, Replace replace) {
  TempFile tmp{path + ".tmp-XXXXXX"};
  // mkostemp: O_CREAT|O_EXCL, mode 0600 from the start, so the key is never briefly readable.
  UniqueFd fd(::mkostemp(tmp.path.data(), O_CLOEXEC));
  if (!fd) {
    tmp.keep = true;  // nothing was created
    return ErrnoError("create temporary");
  }
  if (::fchmod(fd.get(), mode) != 0) return ErrnoError("fchmod");
  NXT_TRY(WriteAll(fd.get(), text));
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync");
  if (::close(fd.Release()) != 0) return ErrnoError("close");
  NXT_TRY(Publish(tmp, path, replace));
  return SyncDirectoryOf(path);
}

Status WriteKey(const std::string& path, std::span<const uint8_t> key, KeyType type, KeyPart part,
                Replace replace) {
  if (key.size() != kRawKeySize) {
    return Error(Errc::kInvalidArgument, "key must be 32 bytes, got " + std::to_string(key.size()));
  }
  std::string text = FormatKey(type, part, key) + "\n";
  WipeOnExit wipe{text};
  auto status = WriteKeyFile(path, text, part == KeyPart::kPrivate ? kPrivateMode : kPublicMode, replace);
  if (!status.ok()) return std::move(status).error().WithContext(Named(path));
  return Ok();
}

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Only the reading user may have access: the key is as good as leaked otherwise.
Status CheckPrivateAccess(const std::string& path, const struct stat& st) {
  if ((st.st_mode & 077) != 0) {
    std::string how = (st.st_mode & 044) ? "readable" : (st.st_mode & 022) ? "writable" : "accessible";
    return Error(Errc::kPermission, Named(path) + " is " + how + " by group or others (mode " +
                                        OctalMode(st.st_mode) + "); chmod 600 it");
  }
  if (st.st_uid != ::geteuid()) {
    return Error(Errc::kPermission, Named(path) + " is owned by uid " + std::to_string(st.st_uid) +
                                        ", not by uid " + std::to_string(::geteuid()) + " which reads it; chown it");
  }
  return Ok();
}

// Reads the whole (small) file; checks are made on the opened file, not the
// path, so a swap between check and read cannot slip past them.
Result<std::string> ReadKeyText(const std::string& path, KeyPart part) {
  // O_NONBLOCK: a FIFO planted at the path must be refused, not wait for a writer.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return ErrnoError(Named(path) + ": open");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(Named(path) + ": fstat");
  if (!S_ISREG(st.st_mode)) return Error(Errc::kInvalidArgument, Named(path) + " is not a regular file");
  if (part == KeyPart::kPrivate) NXT_TRY(CheckPrivateAccess(path, st));
  std::string text(kMaxKeyFileSize + 1, '\0');
  std::size_t used = 0;
  while (used < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      OPENSSL_cleanse(text.data(), text.size());
      return ErrnoError(Named(path) + ": read");
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > kMaxKeyFileSize) {
    OPENSSL_cleanse(text.data(), text.size());
    return Error(Errc::kInvalidArgument, Named(path) + " is larger than " + std::to_string(kMaxKeyFileSize) +
                                             " bytes; a key file is one short line");
  }
  text.resize(used);
  return text;
}

Result<RawKey> ReadKey(const std::string& path, KeyType type, KeyPart part) {
  NXT_ASSIGN(std::string text, ReadKeyText(path, part));
  WipeOnExit wipe{text};
  auto key = ParseKey(type, part, text);
  if (!key.ok()) return std::move(key).error().WithContext(Named(path));
  return key;
}

}  // namespace

Status WritePrivateKeyFile(const std::string& path, std::span<const uint8_t> key, KeyType type, Replace replace) {
  return WriteKey(path, key, type, KeyPart::kPrivate, replace);
}

Status WritePublicKeyFile(const std::string& path, std::span<const uint8_t> key, KeyType type, Replace replace) {
  return WriteKey(path, key, type, KeyPart::kPublic, replace);
}

Result<RawKey> ReadPrivateKeyFile(const std::string& path, KeyType type) {
  return ReadKey(path, type, KeyPart::kPrivate);
}

Result<RawKey> ReadPublicKeyFile(const std::string& path, KeyType type) {
  return ReadKey(path, type, KeyPart::kPublic);
}

}  // namespace nxt::crypto
