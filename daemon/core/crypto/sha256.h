// nxt_crypto SHA-256 over OpenSSL 3 EVP (about 1.6 GB/s with SHA-NI on the
// target hardware, so verification is never the bottleneck of a push).
//
// nxt_crypto owns every call into libcrypto; this header is its hashing part
// (signatures, key exchange and AEAD will sit next to it). It never keeps
// process-wide mutable state: the only shared thing is the SHA-256 algorithm
// object, fetched once and immutable afterwards. It aborts only if libcrypto
// itself cannot provide SHA-256 (OOM or a broken provider configuration),
// never because of the bytes being hashed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "crypto/digest.h"

struct evp_md_ctx_st;  // EVP_MD_CTX, kept out of this header

namespace nxt::crypto {

// Streaming SHA-256. Copying duplicates the running state, so a prefix can be
// hashed once and continued in several directions:
//   Sha256 prefix; prefix.Update(header);
//   Sha256 a = prefix; a.Update(x);   Sha256 b = prefix; b.Update(y);
// A moved-from Sha256 may only be destroyed or assigned to.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;

  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes) { Update(AsBytes(bytes)); }
  // The digest of everything fed since construction or the last Reset();
  // then resets, so the object is ready for the next message.
  Digest Final();
  // Forgets everything fed so far.
  void Reset();

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
};

// One-shot digest of a buffer.
Digest Sha256Of(std::span<const uint8_t> bytes);
inline Digest Sha256Of(std::string_view bytes) { return Sha256Of(AsBytes(bytes)); }

// Digest of a whole file, read with pread(2) from offset 0 to EOF in 1 MiB
// steps (the fd's file offset is not used or moved). Errors are kIo/kNotFound
// with the syscall and strerror.
Result<Digest> Sha256OfFile(int fd);
Result<Digest> Sha256OfFile(const std::string& path);

}  // namespace nxt::crypto
