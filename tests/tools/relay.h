// The socket half of nxt-impair: a single-threaded UDP relay. Clients send to
// the listen address; each distinct client source gets its own upstream
// socket, so the server sees one source per client and its replies map back
// to the right client. Both directions pass through an ImpairedLink.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "impairment.h"
#include "net/address.h"
#include "net/udp_endpoint.h"

namespace nxt::impair {

struct RelayConfig {
  net::Address listen;
  net::Address upstream;
  ImpairmentSpec up;    // client -> server
  ImpairmentSpec down;  // server -> client
  uint64_t seed = 1;
  size_t max_clients = 1024;  // each costs a socket
  // A flapping link: from the relay's start, up for flap_up_us, then down
  // (both directions drop everything) for flap_down_us, over and over;
  // flap_cycles of them (0 = for ever). flap_down_us = 0: never down.
  TimeUs flap_up_us = 0;
  TimeUs flap_down_us = 0;
  uint64_t flap_cycles = 0;
};

struct RelayStats {
  LinkStats up, down;
  uint64_t clients = 0;
  uint64_t send_failures = 0;   // socket buffer full or a send error
  uint64_t refused_clients = 0; // beyond max_clients, or no socket for them
  uint64_t flaps = 0;           // down periods of the flapping link begun
};

class Relay {
 public:
  static Result<Relay> Open(const RelayConfig& config, const Clock& clock);

  const net::Address& listen_address() const { return listen_.local_address(); }

  // One loop pass: waits until a socket is readable, a delayed datagram is
  // due, `wake_fd` is readable or `max_wait_us` passed; then moves datagrams.
  // Returns whether `wake_fd` (e.g. a signalfd; -1 = none) is readable.
  Result<bool> RunOnce(TimeUs max_wait_us, int wake_fd = -1);

  // SIGUSR1's blackout; it adds to the flapping, it does not stop it.
  void ToggleBlackout();
  bool blackout() const { return manual_blackout_; }
  RelayStats stats() const;
  // "up: received=.. forwarded=.. dropped=.. ..." then "down: ..." lines.
  std::string StatsText() const;

 private:
  struct Flow {
    net::Address client;
    net::UdpEndpoint upstream;
  };

  Relay(const RelayConfig& config, const Clock& clock, net::UdpEndpoint listen);
  Status ReadClients(TimeUs now);
  Status ReadUpstream(uint32_t flow, TimeUs now);
  Result<uint32_t> FlowFor(const net::Address& client);
  void Deliver(TimeUs now);
  // Applies the blackout and flapping at `now`; returns when the link next changes.
  TimeUs UpdateLinkState(TimeUs now);

  RelayConfig config_;
  const Clock* clock_;
  net::UdpEndpoint listen_;
  std::vector<std::unique_ptr<Flow>> flows_;
  std::unordered_map<net::Address, uint32_t> flow_by_client_;
  ImpairedLink up_, down_;
  std::vector<net::ReceivedDatagram> batch_;
  std::vector<Packet> due_;
  uint64_t send_failures_ = 0;
  uint64_t refused_clients_ = 0;
  TimeUs started_ = 0;
  bool manual_blackout_ = false;
  uint64_t flaps_ = 0;  // down periods begun
};

}  // namespace nxt::impair
