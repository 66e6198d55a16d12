// Manual measurement (not a test): AES-256-GCM seal and open throughput of
// nxt::crypto::AeadKey on datagram-sized records, in place, with a 16-byte AAD.
//   crypto_aead_bench [record_bytes=1200] [seconds=1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "crypto/aead.h"

namespace {

using Clock = std::chrono::steady_clock;

nxt::crypto::AeadNonce NonceFor(uint64_t counter) {
  nxt::crypto::AeadNonce n{};
  for (int i = 0; i < 8; ++i) n[4 + i] = static_cast<uint8_t>(counter >> (8 * i));
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t record = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1200;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  auto key = nxt::crypto::AeadKey::Create(std::vector<uint8_t>(32, 7));
  if (!key.ok()) return 1;
  std::vector<uint8_t> aad(16, 1);
  std::vector<uint8_t> buf(record + nxt::crypto::kAeadTagSize, 0x5a);
  std::span<uint8_t> plain = std::span(buf).first(record);

  // Seal in place as fast as possible; keep every 1000th record's nonce-sealed copy trivial.
  uint64_t seals = 0;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    for (int i = 0; i < 1000; ++i) {
      if (!key->Seal(NonceFor(++seals), aad, plain, buf).ok()) return 2;
    }
  }
  double seal_s = std::chrono::duration<double>(Clock::now() - start).count();

  // Open needs valid records: seal one fresh record, then open copies of it.
  std::vector<uint8_t> sealed(buf.size());
  if (!key->Seal(NonceFor(0), aad, plain, sealed).ok()) return 3;
  std::vector<uint8_t> work(sealed.size());
  uint64_t opens = 0;
  start = Clock::now();
  deadline = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    for (int i = 0; i < 1000; ++i, ++opens) {
      work = sealed;  // in place, as a receiver would on its datagram buffer
      if (!key->Open(NonceFor(0), aad, work, work).ok()) return 4;
    }
  }
  double open_s = std::chrono::duration<double>(Clock::now() - start).count();

  auto report = [&](const char* what, uint64_t n, double s) {
    std::printf("%s: %zu-byte records: %.2f M records/s, %.0f MB/s, %.0f ns/record\n", what, record, n / s / 1e6,
                n * static_cast<double>(record) / s / 1e6, s * 1e9 / n);
  };
  report("seal", seals, seal_s);
  report("open", opens, open_s);
  return 0;
}
