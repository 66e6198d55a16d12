// Cost of a session handshake and of sealing/opening datagrams (not a test:
// prints figures). Run: build/tests/bench/handshake_bench [iterations]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "secure/handshake.h"
#include "secure/session.h"
#include "wire/codec.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  auto cs = nxt::crypto::X25519KeyPair::Generate().value();
  auto ss = nxt::crypto::X25519KeyPair::Generate().value();
  auto t0 = Clock::now();
  std::optional<nxt::secure::SessionKeys> keys, server_keys;
  for (int i = 0; i < n; ++i) {
    auto hs = nxt::secure::ClientHandshake::Start(cs);
    auto acc = nxt::secure::Respond(ss, hs->init(), static_cast<uint64_t>(i + 1));
    auto k = hs->Finish(acc->response, ss.PublicKey());
    if (!k.ok()) return 1;
    keys = *k;
    server_keys = acc->keys;
  }
  double hs_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
  auto client = nxt::secure::SecureSession::Create(*keys, nxt::secure::Role::kClient).value();
  auto server = nxt::secure::SecureSession::Create(*server_keys, nxt::secure::Role::kServer).value();
  std::vector<uint8_t> inner(1158, 0x5a), sealed(1200), opened;
  const int datagrams = 200000;
  auto t1 = Clock::now();
  for (int i = 0; i < datagrams; ++i) {
    size_t len = *client.Seal(inner, sealed);
    auto outer = nxt::wire::DecodeDatagram({sealed.data(), len}, 65000);
    if (!outer.ok() || !server.Open(*outer, opened).ok()) return 1;
  }
  double dg_us = std::chrono::duration<double, std::micro>(Clock::now() - t1).count() / datagrams;
  std::printf("handshake (both sides, 4 X25519 + HKDF each): %.1f us\n", hs_us);
  std::printf("seal + decode + open of a 1200-byte datagram: %.2f us (%.0f MiB/s of 1158-byte payloads on one core)\n",
              dg_us, 1158.0 / dg_us * 1e6 / (1 << 20));
  return 0;
}
