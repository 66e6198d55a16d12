#include "transfer/congestion.h"

#include <algorithm>

namespace nxt::transfer {
namespace {
// Probe up by 25% for one min-RTT, drain what that queued, then cruise.
constexpr std::array<double, 8> kCycle = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
constexpr TimeUs kInitialRttGuess = kUsPerMs;
}  // namespace

Congestion::Congestion(Params params) : p_(params) {
  cwnd_ = static_cast<uint64_t>(p_.initial_cwnd_pkts) * p_.mss;
  pacing_rate_ = kHighGain * static_cast<double>(cwnd_) * kUsPerSec / kInitialRttGuess;
  if (p_.max_rate > 0) pacing_rate_ = std::min(pacing_rate_, p_.max_rate);
}

double Congestion::bottleneck_bandwidth() const {
  double bw = 0;
  for (const Slot& s : slots_)
    if (s.round + kBwWindowRounds > round_) bw = std::max(bw, s.rate);
  return bw;
}

std::string_view Congestion::mode() const {
  switch (mode_) {
    case Mode::kStartup: return "startup";
    case Mode::kDrain: return "drain";
    case Mode::kProbeBw: return "probe-bw";
  }
  return "?";
}

void Congestion::OnLoss(uint64_t lost_bytes) { round_lost_ += lost_bytes; }

void Congestion::StartRound(const RateSample& rs) {
  // Heavy loss in the round that just ended: the path (or the receiver) is
  // overflowing, so the bandwidth estimate is too high. Random loss of a few
  // percent never gets here.
  uint64_t total = round_delivered_ + round_lost_;
  if (total > 0 && static_cast<double>(round_lost_) / static_cast<double>(total) > kHeavyLoss) {
    for (Slot& s : slots_) s.rate *= 0.8;
    if (mode_ == Mode::kStartup) filled_pipe_ = true;
  }
  round_delivered_ = round_lost_ = 0;
  ++round_;
  next_round_delivered_ = rs.delivered;
  Slot& slot = slots_[round_ % kBwWindowRounds];
  slot = Slot{round_, 0, 0};
}

void Congestion::CheckFullPipe() {
  double bw = bottleneck_bandwidth();
  if (bw >= full_bw_ * 1.25) {
    full_bw_ = bw;
    full_bw_rounds_ = 0;
    return;
  }
  if (++full_bw_rounds_ >= 3) filled_pipe_ = true;
}

void Congestion::OnAck(const RateSample& rs, const RttEstimator& rtt, uint64_t inflight, TimeUs now) {
  round_delivered_ += rs.newly_acked;
  bool new_round = rs.prior_delivered >= next_round_delivered_;
  if (new_round) StartRound(rs);
  Slot& slot = slots_[round_ % kBwWindowRounds];
  // App-limited samples understate the path; use them only when they are higher.
  if (rs.delivery_rate > 0 && (!rs.app_limited || rs.delivery_rate > bottleneck_bandwidth()))
    slot.rate = std::max(slot.rate, rs.delivery_rate);
  slot.acked_burst = std::max(slot.acked_burst, rs.newly_acked);
  if (new_round && !rs.app_limited && mode_ == Mode::kStartup) CheckFullPipe();
  UpdateGains(rtt, inflight, now);
  UpdateRateAndWindow(rtt);
}

void Congestion::UpdateGains(const RttEstimator& rtt, uint64_t inflight, TimeUs now) {
  double bdp = bottleneck_bandwidth() * static_cast<double>(rtt.min_rtt()) / kUsPerSec;
  if (mode_ == Mode::kStartup && filled_pipe_) {
    mode_ = Mode::kDrain;
    pacing_gain_ = 1 / kHighGain;
    cwnd_gain_ = kHighGain;
  }
  if (mode_ == Mode::kDrain && static_cast<double>(inflight) <= bdp) {
    mode_ = Mode::kProbeBw;
    cycle_index_ = 2;  // start cruising; the probe phase comes round soon enough
    cycle_start_ = now;
    cwnd_gain_ = 2;
  }
  if (mode_ == Mode::kProbeBw) {
    if (now - cycle_start_ >= std::max<TimeUs>(rtt.min_rtt(), 1)) {
      cycle_index_ = (cycle_index_ + 1) % static_cast<int>(kCycle.size());
      cycle_start_ = now;
    }
    pacing_gain_ = kCycle[cycle_index_];
  }
}

void Congestion::UpdateRateAndWindow(const RttEstimator& rtt) {
  double bw = bottleneck_bandwidth();
  if (bw <= 0) return;  // keep the initial rate until a real sample exists
  pacing_rate_ = pacing_gain_ * bw;
  if (p_.max_rate > 0) pacing_rate_ = std::min(pacing_rate_, p_.max_rate);
  uint64_t burst = 0;
  for (const Slot& s : slots_)
    if (s.round + kBwWindowRounds > round_) burst = std::max(burst, s.acked_burst);
  double bdp = bw * static_cast<double>(rtt.min_rtt()) / kUsPerSec;
  uint64_t target = static_cast<uint64_t>(cwnd_gain_ * bdp) + burst;
  cwnd_ = std::max<uint64_t>(target, static_cast<uint64_t>(p_.min_cwnd_pkts) * p_.mss);
}

}  // namespace nxt::transfer
