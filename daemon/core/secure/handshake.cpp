#include "secure/handshake.h"

#include <cstring>
#include <string>

#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "crypto/sha256.h"

namespace nxt::secure {
namespace {

using Bytes = std::span<const uint8_t>;

Bytes AsSpan(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::string AsString(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Nonce for the confirmation: a direction tag no datagram uses.
constexpr crypto::AeadNonce kConfirmNonce = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
constexpr std::string_view kConfirmAad = "nxt confirm v1";

Result<SessionKeys> Derive(const std::array<crypto::X25519Shared, 4>& dh, Bytes cs, Bytes ce, Bytes ss, Bytes se,
                           Bytes nonce, uint64_t session) {
  crypto::Sha256 h;
  h.Update(std::string_view("nxt-handshake-v1"));
  for (Bytes b : {cs, ce, ss, se, nonce}) h.Update(b);
  crypto::Digest salt = h.Final();
  std::array<uint8_t, 4 * 32> ikm{};
  for (size_t i = 0; i < 4; ++i) std::memcpy(ikm.data() + 32 * i, dh[i].data(), 32);
  std::string_view info = "nxt session keys v1";
  NXT_ASSIGN(auto okm, crypto::Hkdf(ikm, salt, crypto::AsBytes(info), 64));
  SessionKeys k;
  k.session = session;
  std::memcpy(k.c2s.data(), okm.data(), 32);
  std::memcpy(k.s2c.data(), okm.data() + 32, 32);
  return k;
}

std::array<uint8_t, 8> SessionBytes(uint64_t session) {
  std::array<uint8_t, 8> b{};
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(session >> (56 - 8 * i));
  return b;
}

}  // namespace

Result<ClientHandshake> ClientHandshake::Start(const crypto::X25519KeyPair& identity) {
  NXT_ASSIGN(crypto::X25519KeyPair eph, crypto::X25519KeyPair::Generate());
  wire::HandshakeInit init;
  std::array<uint8_t, 16> nonce{};
  NXT_TRY(crypto::RandomBytes(nonce));
  init.set_client_static(AsString(identity.PublicKeyBytes()));
  init.set_client_ephemeral(AsString(eph.PublicKeyBytes()));
  init.set_nonce(AsString(nonce));
  return ClientHandshake(identity, std::move(eph), std::move(init));
}

Result<SessionKeys> ClientHandshake::Finish(const wire::HandshakeResponse& r,
                                            const std::optional<crypto::X25519PublicKey>& pinned) const {
  if (r.nonce() != init_.nonce()) return Error(Errc::kCorrupt, "handshake response for another handshake");
  NXT_ASSIGN(crypto::X25519PublicKey ss, crypto::X25519PublicKey::FromBytes(AsSpan(r.server_static())));
  if (pinned && !(*pinned == ss))
    return Error(Errc::kPermission, "the server presented a key other than the pinned server_key");
  NXT_ASSIGN(crypto::X25519PublicKey se, crypto::X25519PublicKey::FromBytes(AsSpan(r.server_ephemeral())));
  std::array<crypto::X25519Shared, 4> dh{};
  NXT_ASSIGN(dh[0], crypto::Agree(ephemeral_, ss));
  NXT_ASSIGN(dh[1], crypto::Agree(*identity_, ss));
  NXT_ASSIGN(dh[2], crypto::Agree(ephemeral_, se));
  NXT_ASSIGN(dh[3], crypto::Agree(*identity_, se));
  NXT_ASSIGN(SessionKeys k, Derive(dh, AsSpan(init_.client_static()), AsSpan(init_.client_ephemeral()),
                                   AsSpan(r.server_static()), AsSpan(r.server_ephemeral()), AsSpan(init_.nonce()),
                                   r.session()));
  NXT_ASSIGN(crypto::AeadKey key, crypto::AeadKey::Create(k.s2c));
  std::array<uint8_t, 64> plain{};
  auto n = key.Open(kConfirmNonce, crypto::AsBytes(kConfirmAad), AsSpan(r.confirm()), plain);
  auto expect = SessionBytes(r.session());
  if (!n.ok() || *n != expect.size() || std::memcmp(plain.data(), expect.data(), expect.size()) != 0)
    return Error(Errc::kPermission, "handshake confirmation failed (not the server we trust)");
  return k;
}

Result<ServerAccept> Respond(const crypto::X25519KeyPair& identity, const wire::HandshakeInit& init,
                             uint64_t session_id) {
  NXT_ASSIGN(crypto::X25519PublicKey cs, crypto::X25519PublicKey::FromBytes(AsSpan(init.client_static())));
  NXT_ASSIGN(crypto::X25519PublicKey ce, crypto::X25519PublicKey::FromBytes(AsSpan(init.client_ephemeral())));
  NXT_ASSIGN(crypto::X25519KeyPair se, crypto::X25519KeyPair::Generate());
  std::array<crypto::X25519Shared, 4> dh{};
  NXT_ASSIGN(dh[0], crypto::Agree(identity, ce));
  NXT_ASSIGN(dh[1], crypto::Agree(identity, cs));
  NXT_ASSIGN(dh[2], crypto::Agree(se, ce));
  NXT_ASSIGN(dh[3], crypto::Agree(se, cs));
  auto ss_bytes = identity.PublicKeyBytes();
  auto se_bytes = se.PublicKeyBytes();
  NXT_ASSIGN(SessionKeys k, Derive(dh, AsSpan(init.client_static()), AsSpan(init.client_ephemeral()), ss_bytes,
                                   se_bytes, AsSpan(init.nonce()), session_id));
  NXT_ASSIGN(crypto::AeadKey key, crypto::AeadKey::Create(k.s2c));
  auto plain = SessionBytes(session_id);
  std::array<uint8_t, 8 + crypto::kAeadTagSize> sealed{};
  NXT_ASSIGN(size_t n, key.Seal(kConfirmNonce, crypto::AsBytes(kConfirmAad), plain, sealed));
  ServerAccept out{k, {}, cs};
  out.response.set_server_static(AsString(ss_bytes));
  out.response.set_server_ephemeral(AsString(se_bytes));
  out.response.set_session(session_id);
  out.response.set_confirm(AsString(std::span<const uint8_t>(sealed.data(), n)));
  out.response.set_nonce(init.nonce());
  return out;
}

}  // namespace nxt::secure
