// In-memory transport for transfer tests: a one-way link with a rate limit,
// a drop-tail queue, delay and jitter (which reorders), and seeded random
// loss, duplication and corruption. Datagrams travel as serialized bytes so
// corruption exercises the decoder like the real network does. Time is a
// FakeClock the test advances; nothing sleeps.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"
#include "nxt/wire.pb.h"
#include "transfer/receiver.h"
#include "transfer/sender.h"

namespace nxt::transfer::sim {

struct Impairment {
  double loss = 0, dup = 0, corrupt = 0;
  TimeUs delay = 500;          // one-way, microseconds
  TimeUs jitter = 0;           // uniform extra delay; > 0 reorders
  double rate_bps = 0;         // bytes per second; 0 = unlimited
  size_t queue_limit = 1000;   // datagrams waiting for the link (drop-tail)
};

class Link {
 public:
  Link(Impairment imp, uint64_t seed) : imp_(imp), rng_(seed) {}
  void Send(std::string bytes, TimeUs now);
  // Datagrams whose arrival time is <= now, in arrival order.
  std::vector<std::string> Deliver(TimeUs now);
  TimeUs NextArrival() const;
  void set_up(bool up) { up_ = up; }
  uint64_t dropped() const { return dropped_; }

 private:
  struct InFlight { TimeUs at; uint64_t order; std::string bytes; };
  bool Chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  Impairment imp_;
  std::mt19937_64 rng_;
  std::vector<InFlight> flight_;
  TimeUs link_free_at_ = 0;
  uint64_t order_ = 0, dropped_ = 0;
  bool up_ = true;
};

// A whole transfer: sender on one end, a receiving "host" on the other that
// stores bytes in memory and verifies blocks against the original.
struct Result {
  bool installed = false;
  SenderState state{};
  std::string failure;
  SenderProgress progress;
  TimeUs elapsed = 0;
  uint64_t corrupt_blocks = 0, rx_malformed = 0;
};

class Harness {
 public:
  Harness(uint64_t payload_size, Impairment forward, Impairment back, uint64_t seed,
          uint32_t chunk_size = 1100, uint32_t block_size = 64 * 1024);
  // Runs until the sender finishes or `limit` of simulated time passes.
  Result Run(TimeUs limit);
  // Kills the receiving host at simulated time `at`; it restarts `down` later
  // with only the chunks it had stored.
  void RestartHostAt(TimeUs at, TimeUs down) { restart_at_ = at; restart_down_ = down; }
  void PreloadHost(uint64_t first_chunk, uint64_t end_chunk);  // resume from disk
  FakeClock& clock() { return clock_; }
  const std::string& received_payload() const { return rx_payload_; }
  const std::string& payload() const { return payload_; }

 private:
  void HostReceive(const std::string& bytes);
  void HostVerify();
  void HostSend(wire::Datagram d);
  void SenderReceive(const std::string& bytes);
  void PumpSender();

  FakeClock clock_;
  std::mt19937_64 rng_;
  std::string payload_, manifest_, rx_payload_, rx_manifest_;
  Link fwd_, back_;
  std::optional<Sender> sender_;
  std::optional<Receiver> rx_;
  RangeSet disk_;  // what the host stored, survives restarts
  std::deque<uint64_t> pending_blocks_;
  bool manifest_ok_ = false, outcome_sent_ = false, host_up_ = true;
  uint64_t verified_blocks_ = 0, corrupt_blocks_ = 0, malformed_ = 0;
  TimeUs restart_at_ = kNever, restart_down_ = 0, host_back_at_ = kNever;
  wire::Offer offer_;
};

}  // namespace nxt::transfer::sim
