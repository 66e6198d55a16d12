// The session handshake. The client knows (pins) the server's static key;
// the server learns the client's static key from HandshakeInit and decides
// whether to trust it (enrollment). Keys:
//   ikm  = DH(ce, ss) || DH(cs, ss) || DH(ce, se) || DH(cs, se)
//   salt = SHA-256("nxt-handshake-v1" || cs || ce || ss || se || nonce)
//   c2s || s2c = HKDF-SHA256(ikm, salt, "nxt session keys v1", 64)
// Only the holder of ss can produce the Response's `confirm` (it is sealed
// with s2c); only the holder of cs can produce a datagram the server opens
// with c2s. Both ephemerals make every session's keys fresh.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/result.h"
#include "crypto/x25519.h"
#include "nxt/wire.pb.h"

namespace nxt::secure {

using Key = std::array<uint8_t, 32>;

struct SessionKeys {
  uint64_t session = 0;
  Key c2s{}, s2c{};
};

// Client side of one handshake.
class ClientHandshake {
 public:
  static Result<ClientHandshake> Start(const crypto::X25519KeyPair& identity);
  const wire::HandshakeInit& init() const { return init_; }
  // `pinned`: the server key from configuration (or pinned on first use);
  // nullopt accepts the key the server presents (trust on first use).
  Result<SessionKeys> Finish(const wire::HandshakeResponse& response,
                             const std::optional<crypto::X25519PublicKey>& pinned) const;

 private:
  ClientHandshake(const crypto::X25519KeyPair& identity, crypto::X25519KeyPair ephemeral, wire::HandshakeInit init)
      : identity_(&identity), ephemeral_(std::move(ephemeral)), init_(std::move(init)) {}
  const crypto::X25519KeyPair* identity_;
  crypto::X25519KeyPair ephemeral_;
  wire::HandshakeInit init_;
};

// Server side: answers one HandshakeInit.
struct ServerAccept {
  SessionKeys keys;
  wire::HandshakeResponse response;
  crypto::X25519PublicKey client_static;
};
Result<ServerAccept> Respond(const crypto::X25519KeyPair& identity, const wire::HandshakeInit& init,
                             uint64_t session_id);

}  // namespace nxt::secure
