// libFuzzer target for what a host receives as a release's manifest (a
// SignedManifest) and for the sealed-datagram header reader: signature,
// trust and expiry checks and the manifest's bounds must never crash, and
// nothing unsigned may ever be accepted under a policy that requires a
// signature.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "artifact/manifest.h"
#include "artifact/release.h"
#include "secure/session.h"

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
  return 0;
}
