// libFuzzer target for what a host receives as a release's manifest (a
// SignedManifest), for the bundle file `nxtctl push` reads (its header, then
// the SignedManifest inside) and for the sealed-datagram header reader:
// signature, trust and expiry checks and the manifest's bounds must never
// crash, and nothing unsigned may ever be accepted under a policy that
// requires a signature.
#include <google/protobuf/stubs/logging.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "artifact/manifest.h"
#include "artifact/release.h"
#include "base/unique_fd.h"
#include "secure/session.h"

namespace {

// The bundle reader takes a file descriptor: an in-memory file (memfd), so
// the target touches no file system.
void ReadBundle(std::span<const uint8_t> bytes, const nxt::artifact::TrustPolicy& policy) {
  nxt::UniqueFd fd(::memfd_create("fuzz-bundle", MFD_CLOEXEC));
  if (!fd || ::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) __builtin_trap();
  auto header = nxt::artifact::ReadBundleHeader(fd.get());
  if (!header.ok() || !header->has_value()) return;
  const std::string& sm = (*header)->signed_manifest;
  if ((*header)->payload_offset != nxt::artifact::kBundleMagic.size() + 4 + sm.size()) __builtin_trap();
  auto inner = std::span(reinterpret_cast<const uint8_t*>(sm.data()), sm.size());
  if (nxt::artifact::OpenSignedManifest(inner, policy, 1'800'000'000).ok()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  std::span<const uint8_t> bytes(data, size);
  static const nxt::crypto::Ed25519KeyPair publisher = nxt::crypto::Ed25519KeyPair::Generate().value();
  nxt::artifact::TrustPolicy policy{{publisher.PublicKey()}, true};
  auto m = nxt::artifact::OpenSignedManifest(bytes, policy, 1'800'000'000);
  // Only the publisher's own signatures verify, and the fuzzer cannot forge one.
  if (m.ok()) __builtin_trap();
  (void)nxt::artifact::PeekSignedManifest(bytes);
  (void)nxt::artifact::ParseManifest(bytes);
  (void)nxt::secure::ParseSealed(bytes);
  ReadBundle(bytes, policy);
  return 0;
}
