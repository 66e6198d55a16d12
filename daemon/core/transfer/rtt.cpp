#include "transfer/rtt.h"

#include <algorithm>

namespace nxt::transfer {

void RttEstimator::OnSample(TimeUs rtt, TimeUs now) {
  rtt = std::max<TimeUs>(rtt, 1);
  latest_ = rtt;
  if (!has_sample_) {
    has_sample_ = true;
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    min_rtt_ = rtt;
    min_rtt_at_ = now;
    return;
  }
  TimeUs diff = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
  rttvar_ = (3 * rttvar_ + diff) / 4;
  srtt_ = (7 * srtt_ + rtt) / 8;
  if (rtt <= min_rtt_ || now - min_rtt_at_ > kMinRttWindow) {
    min_rtt_ = rtt;
    min_rtt_at_ = now;
  }
}

TimeUs RttEstimator::Rto() const {
  if (!has_sample_) return kInitialRto;
  return std::clamp<TimeUs>(srtt_ + 4 * rttvar_, kMinRto, kMaxRto);
}

}  // namespace nxt::transfer
