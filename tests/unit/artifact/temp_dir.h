// Test helpers for nxt_artifact: a private temp dir removed after the test,
// and files with deterministic pseudo-random content.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/unique_fd.h"

namespace nxt::artifact::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base ? base : "/tmp") + "/nxt-artifact-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Deterministic bytes that differ from block to block (so swapped blocks show).
inline std::string PatternBytes(std::size_t size, uint32_t seed = 1) {
  std::string out(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x);
  }
  return out;
}

inline UniqueFd WriteFile(const std::string& path, const std::string& bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  EXPECT_TRUE(fd.valid()) << path;
  EXPECT_EQ(::pwrite(fd.get(), bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  return fd;
}

inline std::string ReadAll(int fd) {
  std::string out;
  char buf[1 << 16];
  off_t off = 0;
  for (ssize_t n; (n = ::pread(fd, buf, sizeof buf, off)) > 0; off += n) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace nxt::artifact::testing
