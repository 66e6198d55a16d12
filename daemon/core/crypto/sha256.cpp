#include "crypto/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/unique_fd.h"
#include "crypto/openssl_error.h"

namespace nxt::crypto {
namespace {

// Fetched once per process (thread-safe static init) and never modified:
// EVP_sha256() would make every DigestInit do an implicit provider lookup.
// Deliberately never freed: it must outlive every Sha256, including ones in
// other statics destroyed at exit.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) internal::OpenSslFatal("EVP_MD_fetch(SHA256)");
    return fetched;
  }();
  return md;
}

constexpr std::size_t kReadStep = 1 << 20;  // 1 MiB per pread: amortizes syscalls, fits L2

}  // namespace

void Sha256::CtxFree::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) internal::OpenSslFatal("EVP_MD_CTX_new");
  Reset();
}

Sha256::~Sha256() = default;

Sha256::Sha256(const Sha256& other) : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) {
    internal::OpenSslFatal("EVP_MD_CTX_copy_ex");
  }
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) {
    if (!ctx_) ctx_.reset(EVP_MD_CTX_new());
    if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) {
      internal::OpenSslFatal("EVP_MD_CTX_copy_ex");
    }
  }
  return *this;
}

Sha256::Sha256(Sha256&& other) noexcept = default;
Sha256& Sha256::operator=(Sha256&& other) noexcept = default;

void Sha256::Update(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1) {
    internal::OpenSslFatal("EVP_DigestUpdate(SHA256)");
  }
}

Digest Sha256::Final() {
  Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size()) {
    internal::OpenSslFatal("EVP_DigestFinal_ex(SHA256)");
  }
  Reset();
  return out;
}

void Sha256::Reset() {
  if (EVP_DigestInit_ex2(ctx_.get(), Sha256Md(), nullptr) != 1) {
    internal::OpenSslFatal("EVP_DigestInit_ex2(SHA256)");
  }
}

Digest Sha256Of(std::span<const uint8_t> bytes) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, Sha256Md(), nullptr) != 1 ||
      len != out.size()) {
    internal::OpenSslFatal("EVP_Digest(SHA256)");
  }
  return out;
}

Result<Digest> Sha256OfFile(int fd) {
  std::vector<uint8_t> buf(kReadStep);
  Sha256 hash;
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("sha256: pread");
    }
    if (n == 0) break;
    hash.Update(std::span<const uint8_t>(buf.data(), static_cast<std::size_t>(n)));
    offset += n;
  }
  return hash.Final();
}

Result<Digest> Sha256OfFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("sha256: open " + path);
  auto digest = Sha256OfFile(fd.get());
  if (!digest.ok()) return std::move(digest).error().WithContext(path);
  return digest;
}

}  // namespace nxt::crypto
