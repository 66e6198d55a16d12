// Peers: the server's authenticated sessions with clients.
//
// Answers HandshakeInit (creating a session keyed by a random id), opens
// sealed datagrams (a client may roam: the session, not the source address,
// says who it is), and seals what the server sends to a client in that
// client's newest session. Sessions of a client id are bound to the client's
// static key; idle ones are forgotten after a while. Nothing here trusts a
// byte that did not authenticate.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "crypto/x25519.h"
#include "net/udp_endpoint.h"
#include "secure/handshake.h"
#include "secure/session.h"

namespace nxt::server {

struct Peer {
  uint64_t id = 0;               // session id
  std::unique_ptr<secure::SecureSession> session;
  crypto::RawKey client_key{};   // static X25519 key proven by this session
  net::UdpEndpoint* udp = nullptr;
  net::Address address;
  std::string client_id;         // set by the first Hello in this session
  TimeUs last_heard = 0;
};

class Peers {
 public:
  static constexpr size_t kMaxSessions = 100000;
  static constexpr TimeUs kIdleTimeout = 10 * 60 * kUsPerSec;  // > any lease renewal gap
  // A session no Hello was sealed in (a handshake flood, or a client that
  // went away mid-way) is dropped much sooner.
  static constexpr TimeUs kUnboundTimeout = 30 * kUsPerSec;

  Peers(const crypto::X25519KeyPair& identity, const Clock& clock) : identity_(identity), clock_(clock) {}

  // Answers a handshake; the response goes back in the clear.
  Status OnHandshake(net::UdpEndpoint& udp, const net::Address& from, const wire::HandshakeInit& init);
  // Opens a sealed datagram; returns its peer, or nullptr if it did not authenticate.
  Peer* Open(net::UdpEndpoint& udp, const net::Address& from, const secure::SealedView& outer, wire::Datagram* inner);
  // The session a client id proved itself in most recently.
  void Bind(Peer& peer, const std::string& client_id);
  Peer* ForClient(const std::string& client_id);
  // Seals `inner` (an encoded Datagram) for the client; `out` must have kSealOverhead spare bytes.
  Result<size_t> Seal(Peer& peer, std::span<const uint8_t> inner, std::span<uint8_t> out);
  Status Send(Peer& peer, const wire::Datagram& d);
  void Forget(const std::string& client_id);  // revoked: drop its sessions
  void ExpireIdle();
  size_t size() const { return sessions_.size(); }

 private:
  const crypto::X25519KeyPair& identity_;
  const Clock& clock_;
  std::unordered_map<uint64_t, Peer> sessions_;
  std::map<std::string, uint64_t> by_client_;
  std::vector<uint8_t> plain_, sealed_;
};

}  // namespace nxt::server
