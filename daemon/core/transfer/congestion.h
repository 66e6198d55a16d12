// Rate-based congestion control in the spirit of BBR (v1, simplified).
//
// The sender paces at the measured bottleneck bandwidth (windowed max of
// delivery-rate samples) times a gain, and caps in-flight data at a multiple
// of the measured bandwidth-delay product. Random loss therefore does not
// shrink the rate the way AIMD does; only heavy loss within a round (> 20%,
// e.g. a receiver or queue overflowing) cuts the bandwidth estimate.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "transfer/rtt.h"

namespace nxt::transfer {

struct RateSample {
  double delivery_rate = 0;     // bytes per second; 0 = no valid sample
  bool app_limited = false;     // the sender had nothing to send when the packet left
  uint64_t prior_delivered = 0; // delivered bytes when the acked packet was sent
  uint64_t delivered = 0;       // delivered bytes after this ack
  uint64_t newly_acked = 0;     // bytes acked by this ack event
};

class Congestion {
 public:
  struct Params {
    uint32_t mss = 1100;            // payload bytes per datagram
    uint32_t initial_cwnd_pkts = 32;
    uint32_t min_cwnd_pkts = 64;    // ≥ two receiver ack batches, so batching never stalls
    double max_rate = 0;            // bytes/s cap from configuration; 0 = none
  };

  explicit Congestion(Params params);

  void OnAck(const RateSample& rs, const RttEstimator& rtt, uint64_t inflight, TimeUs now);
  void OnLoss(uint64_t lost_bytes);

  uint64_t cwnd_bytes() const { return cwnd_; }
  double pacing_rate() const { return pacing_rate_; }  // bytes per second
  double bottleneck_bandwidth() const;
  std::string_view mode() const;

 private:
  enum class Mode { kStartup, kDrain, kProbeBw };
  static constexpr double kHighGain = 2.885;  // 2/ln2: doubles delivery each round
  static constexpr int kBwWindowRounds = 10;
  static constexpr double kHeavyLoss = 0.20;

  void StartRound(const RateSample& rs);
  void CheckFullPipe();
  void UpdateGains(const RttEstimator& rtt, uint64_t inflight, TimeUs now);
  void UpdateRateAndWindow(const RttEstimator& rtt);

  Params p_;
  Mode mode_ = Mode::kStartup;
  double pacing_gain_ = kHighGain, cwnd_gain_ = kHighGain;
  double pacing_rate_;
  uint64_t cwnd_;

  // Windowed max of delivery rate and of bytes acked per ack event, per round.
  struct Slot { uint64_t round = 0; double rate = 0; uint64_t acked_burst = 0; };
  std::array<Slot, kBwWindowRounds> slots_{};
  uint64_t round_ = 0, next_round_delivered_ = 0;
  uint64_t round_delivered_ = 0, round_lost_ = 0;

  double full_bw_ = 0;
  int full_bw_rounds_ = 0;
  bool filled_pipe_ = false;

  int cycle_index_ = 0;
  TimeUs cycle_start_ = 0;
};

}  // namespace nxt::transfer
