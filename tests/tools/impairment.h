// The pure half of nxt-impair: per-datagram impairment decisions from a seeded
// RNG, and one direction of an impaired link (loss, duplication, reordering,
// corruption, delay + jitter, rate limit, loss bursts, blackout) driven by the caller's
// clock. No sockets, no clock reads, no sleeping: the relay feeds packets and
// `now`, and asks which packets are due. Same seed + same input = same output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "base/clock.h"

namespace nxt::impair {

struct ImpairmentSpec {
  double loss = 0;      // probability a datagram is dropped
  double dup = 0;       // probability it is delivered twice
  double reorder = 0;   // probability it is held back and overtaken by the next one
  double corrupt = 0;   // probability one bit of it is flipped
  TimeUs delay_us = 0;  // one-way delay
  TimeUs jitter_us = 0; // delay varies uniformly by +- this (never below 0; order kept)
  double rate_mbit = 0; // link rate in Mbit/s; 0 = unlimited
  // A reordered datagram waits at most this long for one to overtake it. 10 ms.
  TimeUs reorder_hold_us = 10 * kUsPerMs;
  size_t queue_limit = 10000;  // datagrams in flight before tail drop (rate-limited links)
  // Bursty loss (a two-state Gilbert model): in the good state a datagram
  // starts a burst with probability `burst`; a burst drops `burst_len`
  // datagrams on average (geometric), the datagram that started it included.
  double burst = 0;
  double burst_len = 1;
};

// What happens to one datagram.
struct Decision {
  bool drop = false;
  bool duplicate = false;
  bool reorder = false;
  bool corrupt = false;
  size_t corrupt_byte = 0;   // which byte (when corrupt)
  uint8_t corrupt_mask = 0;  // which bit of it, as a mask
  int64_t jitter_us = 0;     // added to the delay
};

class Impairment {
 public:
  Impairment(const ImpairmentSpec& spec, uint64_t seed);
  // Draws the same number of random values for every datagram, so changing
  // one probability does not shift the others' decisions.
  Decision Decide(size_t size);
  const ImpairmentSpec& spec() const { return spec_; }

 private:
  double Uniform();  // [0, 1)
  ImpairmentSpec spec_;
  std::mt19937_64 rng_;
};

struct Packet {
  uint32_t flow = 0;  // the relay's id for the client this datagram belongs to
  std::vector<uint8_t> bytes;
};

struct LinkStats {
  uint64_t received = 0;
  uint64_t forwarded = 0;   // handed out by TakeDue (duplicates included)
  uint64_t dropped = 0;     // random loss
  uint64_t duplicated = 0;
  uint64_t reordered = 0;   // actually overtaken by a later datagram
  uint64_t corrupted = 0;
  uint64_t blackout_dropped = 0;
  uint64_t queue_dropped = 0;
  uint64_t burst_dropped = 0;
};

// One direction of the relay.
class ImpairedLink {
 public:
  // Bursts draw from their own generator, so turning them on leaves every
  // other decision of a seed as it was.
  ImpairedLink(const ImpairmentSpec& spec, uint64_t seed)
      : impairment_(spec, seed), burst_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

  void Submit(TimeUs now, Packet packet);
  // Appends the packets due at `now`, in delivery order.
  void TakeDue(TimeUs now, std::vector<Packet>& out);
  // When the next packet is due; kNever if none is pending.
  TimeUs NextDueUs() const;
  size_t pending() const { return queue_.size() + (held_ ? 1 : 0); }

  void SetBlackout(bool on) { blackout_ = on; }
  bool blackout() const { return blackout_; }
  const LinkStats& stats() const { return stats_; }

 private:
  TimeUs Schedule(TimeUs now, size_t size, int64_t jitter_us);
  void ReleaseHeld(TimeUs due, bool overtaken);
  bool InBurst();

  Impairment impairment_;
  std::multimap<TimeUs, Packet> queue_;  // due time -> packet; equal keys keep FIFO
  std::optional<Packet> held_;           // a reordered packet waiting to be overtaken
  TimeUs held_until_ = 0;
  TimeUs link_free_at_ = 0;              // when the rate-limited link finishes sending
  TimeUs last_due_ = 0;                  // keeps jitter from reordering
  bool blackout_ = false;
  std::mt19937_64 burst_rng_;
  bool in_burst_ = false;
  LinkStats stats_;
};

}  // namespace nxt::impair
