// Session: the client's authenticated link to its server.
//
// Handshake first (HandshakeInit until a HandshakeResponse proves the server
// holds the pinned key), then Hello sealed in that session until a Welcome
// grants a lease; renew at a third of the lease; back off (1 s doubling to
// 30 s) while the server does not answer, and start a new handshake when two
// Hellos in a row go unanswered (the server restarted and forgot the session)
// or the session is due for re-keying.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "crypto/x25519.h"
#include "net/udp_endpoint.h"
#include "nxt/wire.pb.h"
#include "secure/handshake.h"
#include "secure/session.h"
#include "sys/event_loop.h"
#include "sys/log.h"

namespace nxt::client {

struct SessionKeysConfig {
  const crypto::X25519KeyPair* identity;
  std::optional<crypto::X25519PublicKey> pinned;       // from server_key, or pinned earlier
  std::function<void(const crypto::X25519PublicKey&)> pin;  // trust on first use: remember this key
};

class Session {
 public:
  Session(sys::EventLoop& loop, net::UdpEndpoint& udp, const Clock& clock, sys::Logger& log, net::Address server,
          SessionKeysConfig keys, std::function<wire::Hello()> make_hello);

  void Start() { Handshake(); }
  void HelloNow();  // our running version changed: tell the server now

  void OnHandshakeResponse(const wire::HandshakeResponse& r);
  // Opens a sealed datagram from the server; false = not ours / forged.
  bool Open(const wire::Datagram& outer, wire::Datagram* inner);
  bool Open(const secure::SealedView& view, wire::Datagram* inner);
  void OnWelcome(const wire::Welcome& welcome);
  // Seals and sends a datagram to the server (dropped while no session is up).
  void Send(const wire::Datagram& d);

  bool registered() const { return registered_ && clock_.UnixMs() < lease_expires_ms_; }
  bool approved() const { return enrollment_ == wire::ENROLLMENT_APPROVED; }
  wire::Enrollment enrollment() const { return enrollment_; }
  uint64_t lease_expires_unix_ms() const { return lease_expires_ms_; }
  const net::Address& server() const { return server_; }
  uint64_t rejected() const { return rejected_; }

 private:
  void Handshake();
  void SendHello();
  void OnTimer();
  void SendClear(const wire::Datagram& d);

  sys::EventLoop& loop_;
  net::UdpEndpoint& udp_;
  const Clock& clock_;
  sys::Logger& log_;
  net::Address server_;
  SessionKeysConfig keys_;
  std::function<wire::Hello()> make_hello_;
  sys::Timer timer_;
  std::optional<secure::ClientHandshake> handshake_;
  std::unique_ptr<secure::SecureSession> secure_;
  std::vector<uint8_t> scratch_, plain_;
  bool registered_ = false;
  int unanswered_ = 0;
  uint64_t lease_expires_ms_ = 0;
  uint64_t server_instance_ = 0;
  wire::Enrollment enrollment_ = wire::ENROLLMENT_APPROVED;
  TimeUs backoff_ = kUsPerSec;
  uint64_t rejected_ = 0;
};

}  // namespace nxt::client
