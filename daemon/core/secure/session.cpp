#include "secure/session.h"

#include <cstring>

namespace nxt::secure {
namespace {
constexpr uint32_t kClientToServer = 1, kServerToClient = 2;

[[maybe_unused]] crypto::AeadNonce Nonce(uint32_t dir, uint64_t seq) {
  crypto::AeadNonce n{};
  for (int i = 0; i < 4; ++i) n[i] = static_cast<uint8_t>(dir >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) n[4 + i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  return n;
}

std::array<uint8_t, 20> Aad(uint64_t session, uint64_t seq) {
  std::array<uint8_t, 20> a{'n', 'x', 't', '1'};
  for (int i = 0; i < 8; ++i) a[4 + i] = static_cast<uint8_t>(session >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) a[12 + i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  return a;
}

size_t PutVarint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}
}  // namespace

Result<SecureSession> SecureSession::Create(const SessionKeys& keys, Role role, uint64_t rekey_after) {
  NXT_ASSIGN(crypto::AeadKey c2s, crypto::AeadKey::Create(keys.c2s));
  NXT_ASSIGN(crypto::AeadKey s2c, crypto::AeadKey::Create(keys.s2c));
  SecureSession s = role == Role::kClient
                        ? SecureSession(keys.session, std::move(c2s), std::move(s2c), kClientToServer, kServerToClient)
                        : SecureSession(keys.session, std::move(s2c), std::move(c2s), kServerToClient, kClientToServer);
  s.rekey_after_ = rekey_after;
  return s;
}

Result<size_t> SecureSession::Seal(std::span<const uint8_t> inner, std::span<uint8_t> out) {
  size_t sealed_len = inner.size() + crypto::kAeadTagSize;
  if (out.size() < inner.size() + kSealOverhead) return Error(Errc::kInvalidArgument, "seal: output buffer too small");
  uint64_t seq = next_seq_++;
  // Hand-written protobuf framing of Datagram{version=1, session, seq, sealed}
  // (fields 1, 2, 3, 15), so the hot path needs no message object.
  uint8_t* p = out.data();
  size_t n = 0;
  p[n++] = 0x08;  // field 1, varint
  p[n++] = static_cast<uint8_t>(wire::PROTOCOL_VERSION_CURRENT);
  p[n++] = 0x11;  // field 2, fixed64
  for (int i = 0; i < 8; ++i) p[n++] = static_cast<uint8_t>(id_ >> (8 * i));
  p[n++] = 0x18;  // field 3, varint
  n += PutVarint(p + n, seq);
  p[n++] = 0x7a;  // field 15, length-delimited
  n += PutVarint(p + n, sealed_len);
  auto aad = Aad(id_, seq);
#ifdef NXT_BENCH_NO_AEAD
  // Benchmark builds only (CMake NXT_BENCH_NO_AEAD): the same framing and
  // copies, no cipher, a zero tag — to measure what sealing costs.
  (void)aad;
  std::memcpy(out.data() + n, inner.data(), inner.size());
  std::memset(out.data() + n + inner.size(), 0, crypto::kAeadTagSize);
  return n + sealed_len;
#else
  NXT_ASSIGN(size_t written, send_.Seal(Nonce(send_dir_, seq), aad, inner, out.subspan(n)));
  return n + written;
#endif
}

Status SecureSession::Open(const wire::Datagram& outer, std::vector<uint8_t>& inner) {
  return Open(SealedView{outer.session(), outer.seq(), crypto::AsBytes(outer.sealed())}, inner);
}

Status SecureSession::Open(const SealedView& v, std::vector<uint8_t>& inner) {
  if (v.session != id_) return Error(Errc::kPermission, "datagram of another session");
  if (!replay_.Check(v.seq)) return Error(Errc::kPermission, "replayed or too old (seq " + std::to_string(v.seq) + ")");
  if (v.sealed.size() < crypto::kAeadTagSize) return Error(Errc::kCorrupt, "sealed datagram too short");
  inner.resize(v.sealed.size());
  auto aad = Aad(id_, v.seq);
#ifdef NXT_BENCH_NO_AEAD
  (void)aad;
  size_t n = v.sealed.size() - crypto::kAeadTagSize;
  std::memcpy(inner.data(), v.sealed.data(), n);
#else
  NXT_ASSIGN(size_t n, recv_.Open(Nonce(recv_dir_, v.seq), aad, v.sealed, inner));
#endif
  inner.resize(n);
  replay_.Accept(v.seq);  // only now: a forged datagram must not move the window
  return Ok();
}

std::optional<SealedView> ParseSealed(std::span<const uint8_t> d) {
  size_t i = 0;
  auto varint = [&](uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && i < d.size(); shift += 7) {
      uint8_t b = d[i++];
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) {
        *out = v;
        return true;
      }
    }
    return false;
  };
  SealedView v;
  uint64_t version = 0, len = 0;
  if (d.size() < 12 || d[i++] != 0x08 || !varint(&version) || version != wire::PROTOCOL_VERSION_CURRENT) return {};
  if (i + 9 > d.size() || d[i++] != 0x11) return {};
  for (int k = 0; k < 8; ++k) v.session |= uint64_t{d[i++]} << (8 * k);
  if (i >= d.size() || d[i++] != 0x18 || !varint(&v.seq)) return {};
  if (i >= d.size() || d[i++] != 0x7a || !varint(&len) || len != d.size() - i || v.session == 0) return {};
  v.sealed = d.subspan(i);
  return v;
}

}  // namespace nxt::secure
