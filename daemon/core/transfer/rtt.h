// Round-trip time estimation (RFC 6298 smoothing plus a windowed minimum) and
// the retransmission timeout derived from it. Pure arithmetic on samples.
#pragma once

#include "base/clock.h"

namespace nxt::transfer {

class RttEstimator {
 public:
  // 200 ms before any sample: conservative for a WAN, replaced after one ack.
  static constexpr TimeUs kInitialRto = 200 * kUsPerMs;
  // 5 ms floor: loopback RTTs are ~50 us, but a daemon's loop can stall a
  // few ms on disk I/O; a lower floor only buys spurious retransmissions.
  static constexpr TimeUs kMinRto = 5 * kUsPerMs;
  static constexpr TimeUs kMaxRto = 2 * kUsPerSec;
  // The minimum is forgotten after 10 s so a changed path is noticed.
  static constexpr TimeUs kMinRttWindow = 10 * kUsPerSec;

  void OnSample(TimeUs rtt, TimeUs now);
  bool has_sample() const { return has_sample_; }
  TimeUs smoothed() const { return srtt_; }
  TimeUs min_rtt() const { return min_rtt_; }
  TimeUs latest() const { return latest_; }
  TimeUs Rto() const;

 private:
  bool has_sample_ = false;
  TimeUs srtt_ = 0, rttvar_ = 0, latest_ = 0;
  TimeUs min_rtt_ = 0, min_rtt_at_ = 0;
};

}  // namespace nxt::transfer
