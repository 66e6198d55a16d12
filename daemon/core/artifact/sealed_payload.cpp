#include "artifact/sealed_payload.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "sys/atomic_file.h"

namespace nxt::artifact {
namespace {

crypto::AeadNonce BlockNonce(uint64_t block) {
  crypto::AeadNonce n{};
  for (int i = 0; i < 8; ++i) n[4 + i] = static_cast<uint8_t>(block >> (56 - 8 * i));
  return n;
}

std::vector<uint8_t> Aad(std::span<const uint8_t> sha) {
  static constexpr char kLabel[] = "nxt payload v1";
  std::vector<uint8_t> aad(sizeof kLabel - 1 + sha.size());
  for (size_t i = 0; i + 1 < sizeof kLabel; ++i) aad[i] = static_cast<uint8_t>(kLabel[i]);
  for (size_t i = 0; i < sha.size(); ++i) aad[sizeof kLabel - 1 + i] = sha[i];
  return aad;
}

}  // namespace

uint64_t SealedSize(uint64_t plain_size, uint32_t block_size) {
  uint64_t blocks = (plain_size + block_size - 1) / block_size;
  return plain_size + blocks * kSealedBlockOverhead;
}

Result<UniqueFd> WriteSealedPayload(int plain_fd, uint64_t plain_size, uint32_t block_size, crypto::AeadKey& key,
                                    std::span<const uint8_t> payload_sha256, const std::string& path) {
  std::string tmp = path + ".tmp";
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0440));
  if (!out) return ErrnoError("open " + tmp);
  std::vector<uint8_t> plain(block_size), sealed(block_size + kSealedBlockOverhead);
  auto aad = Aad(payload_sha256);
  uint64_t b = 0;
  for (uint64_t off = 0; off < plain_size; off += block_size, ++b) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(block_size, plain_size - off));
    if (pread(plain_fd, plain.data(), len, static_cast<off_t>(off)) != static_cast<ssize_t>(len))
      return ErrnoError("read payload to seal");
    NXT_ASSIGN(size_t n, key.Seal(BlockNonce(b), aad, {plain.data(), len}, sealed));
    if (::write(out.get(), sealed.data(), n) != static_cast<ssize_t>(n)) return ErrnoError("write " + tmp);
  }
  if (fsync(out.get()) != 0) return ErrnoError("fsync " + tmp);
  out.Reset();
  NXT_TRY(sys::RenameDurable(tmp, path));
  UniqueFd ro(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ro) return ErrnoError("open " + path);
  return ro;
}

Result<size_t> OpenSealedBlock(crypto::AeadKey& key, uint64_t block, std::span<const uint8_t> payload_sha256,
                               std::span<const uint8_t> sealed, std::span<uint8_t> out) {
  auto aad = Aad(payload_sha256);
  return key.Open(BlockNonce(block), aad, sealed, out);
}

}  // namespace nxt::artifact
