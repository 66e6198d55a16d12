// Session: registration with the server. Sends Hello (who we are, what we
// run) until a Welcome grants a lease, renews at a third of the lease, and
// backs off (1 s doubling to 30 s) while the server does not answer.
#pragma once

#include <functional>

#include "base/clock.h"
#include "nxt/wire.pb.h"
#include "net/udp_endpoint.h"
#include "sys/event_loop.h"
#include "sys/log.h"

namespace nxt::client {

class Session {
 public:
  Session(sys::EventLoop& loop, net::UdpEndpoint& udp, const Clock& clock, sys::Logger& log, net::Address server,
          std::function<wire::Hello()> make_hello);

  void Start() { SendHello(); }
  void HelloNow() { SendHello(); }  // our running version changed: tell the server now
  void OnWelcome(const wire::Welcome& welcome);

  bool registered() const { return registered_ && clock_.UnixMs() < lease_expires_ms_; }
  uint64_t lease_expires_unix_ms() const { return lease_expires_ms_; }
  const net::Address& server() const { return server_; }

 private:
  void SendHello();
  void OnTimer();

  sys::EventLoop& loop_;
  net::UdpEndpoint& udp_;
  const Clock& clock_;
  sys::Logger& log_;
  net::Address server_;
  std::function<wire::Hello()> make_hello_;
  sys::Timer timer_;
  bool registered_ = false;
  uint64_t lease_expires_ms_ = 0;
  uint64_t server_instance_ = 0;
  TimeUs backoff_ = kUsPerSec;
};

}  // namespace nxt::client
