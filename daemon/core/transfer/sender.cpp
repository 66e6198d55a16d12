#include "transfer/sender.h"

#include <algorithm>
#include <bit>

namespace nxt::transfer {
namespace {
// A datagram is lost once 3 later ones were acknowledged (as in TCP/QUIC)...
constexpr uint64_t kReorderThreshold = 3;
constexpr TimeUs kMaxBackoff = 64;
// The pacing bucket holds up to 1 ms of data (at least 16 datagrams), so the
// loop can hand the kernel batches instead of waking per datagram.
constexpr TimeUs kPacingQuantum = kUsPerMs;

wire::Datagram NewDatagram() {
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  return d;
}
}  // namespace

std::string_view SenderStateName(SenderState s) {
  switch (s) {
    case SenderState::kOffering: return "offering";
    case SenderState::kSending: return "sending";
    case SenderState::kAwaitingOutcome: return "awaiting-outcome";
    case SenderState::kDone: return "done";
    case SenderState::kDeclined: return "declined";
    case SenderState::kFailed: return "failed";
  }
  return "?";
}

Result<Sender> Sender::Create(SenderParams params, TimeUs now) {
  const wire::Offer& o = params.offer;
  NXT_ASSIGN(Geometry g, Geometry::Make(o.manifest_size(), o.size(), o.block_size(), o.chunk_size()));
  return Sender(std::move(params), g, now);
}

Sender::Sender(SenderParams params, Geometry geom, TimeUs now)
    : params_(std::move(params)), geom_(geom), cc_(params_.congestion) {
  uint64_t want = std::clamp<uint64_t>(std::min<uint64_t>(params_.max_window_pkts, geom_.total_chunks()), 16, 1u << 20);
  uint64_t size = std::bit_ceil(want);
  ring_.resize(size);
  ring_mask_ = size - 1;
  offer_started_ = last_heard_ = tokens_at_ = now;
  QueueOffer(now);
}

bool Sender::finished() const {
  return state_ == SenderState::kDone || state_ == SenderState::kDeclined || state_ == SenderState::kFailed;
}

void Sender::QueueControl(wire::Datagram d) { control_.push_back(std::move(d)); }

std::vector<wire::Datagram> Sender::TakeControl() { return std::exchange(control_, {}); }

void Sender::QueueOffer(TimeUs now) {
  wire::Datagram d = NewDatagram();
  *d.mutable_offer() = params_.offer;
  QueueControl(std::move(d));
  offer_interval_ = offer_interval_ == 0 ? params_.offer_retry : std::min<TimeUs>(offer_interval_ * 2, 2 * kUsPerSec);
  offer_next_ = now + offer_interval_;
}

void Sender::Fail(std::string reason) {
  state_ = SenderState::kFailed;
  failure_ = std::move(reason);
}

void Sender::Restart(TimeUs now) {
  if (finished()) return;
  for (Record& r : ring_) r.live = false;
  inflight_bytes_ = inflight_pkts_ = 0;
  base_seq_ = next_seq_;
  // What we believed acknowledged may not have reached the host's disk; its
  // Accept will say what survived.
  acked_.Clear();
  resend_.Clear();
  fresh_ = 0;
  payload_acked_bytes_ = 0;
  state_ = SenderState::kOffering;
  offer_interval_ = 0;
  offer_started_ = last_heard_ = now;
  QueueOffer(now);
}

void Sender::OnAccept(const wire::Accept& accept, TimeUs now) {
  last_heard_ = now;
  if (state_ != SenderState::kOffering) return;  // a duplicate crossing our Offer retry
  uint64_t total = geom_.total_chunks();
  for (const wire::Range& r : accept.have()) {
    if (r.first() >= total || r.count() == 0 || r.count() > total - r.first()) continue;
    acked_.Add(r.first(), r.first() + r.count());
  }
  payload_acked_bytes_ = 0;
  for (const Interval& iv : acked_.ToVector())
    for (uint64_t i = std::max(iv.begin, geom_.manifest_chunks()); i < iv.end; ++i)
      payload_acked_bytes_ += geom_.Locate(i).length;
  uint32_t rw = accept.receive_window() == 0 ? 1024 : accept.receive_window();
  receive_window_ = static_cast<uint32_t>(std::clamp<uint64_t>(rw, 16, ring_.size()));
  state_ = SenderState::kSending;
  fresh_ = 0;
  delivered_time_ = first_sent_time_ = tokens_at_ = now;
  probe_next_ = now + params_.probe_interval;
  CheckAllAcked(now);
}

void Sender::OnDecline(const wire::Decline& decline, TimeUs now) {
  last_heard_ = now;
  if (finished()) return;
  decline_ = decline;
  state_ = SenderState::kDeclined;
}

void Sender::Delivered(Record& r, TimeUs now, RateSample& rs) {
  r.live = false;
  inflight_bytes_ -= r.bytes;
  --inflight_pkts_;
  delivered_ += r.bytes;
  delivered_time_ = now;
  rs.delivered = delivered_;
  rs.newly_acked += r.bytes;
  if (r.delivered >= rs.prior_delivered) {
    // BBR delivery rate: data delivered since this packet left, over the
    // longer of its send and ack intervals (guards against ack compression).
    TimeUs interval = std::max(r.sent - r.first_sent_time, now - r.delivered_time);
    rs.prior_delivered = r.delivered;
    rs.app_limited = r.app_limited;
    first_sent_time_ = r.sent;
    bool long_enough = !rtt_.has_sample() || interval >= rtt_.min_rtt();
    rs.delivery_rate = interval > 0 && long_enough
                           ? static_cast<double>(delivered_ - r.delivered) * kUsPerSec / static_cast<double>(interval)
                           : 0;
  }
  if (acked_.Add(r.index) && r.index >= geom_.manifest_chunks())
    payload_acked_bytes_ += geom_.Locate(r.index).length;
}

void Sender::Lost(Record& r) {
  r.live = false;
  inflight_bytes_ -= r.bytes;
  --inflight_pkts_;
  ++lost_;
  cc_.OnLoss(r.bytes);
  if (!acked_.Contains(r.index)) resend_.Add(r.index);
}

void Sender::AdvanceBase() {
  while (base_seq_ < next_seq_ && !At(base_seq_).live) ++base_seq_;
}

void Sender::OnAck(const wire::Ack& ack, TimeUs now) {
  if (state_ != SenderState::kSending && state_ != SenderState::kAwaitingOutcome) return;
  last_heard_ = now;
  uint64_t largest = ack.largest();
  if (largest == 0 || largest >= next_seq_ || largest < base_seq_) return;  // stale or bogus
  const std::string& seen = ack.seen();
  uint64_t covered = std::min<uint64_t>(largest - 1, seen.size() * 8);
  RateSample rs;
  TimeUs largest_sent = 0;
  bool largest_new = false;
  for (uint64_t seq = std::max(base_seq_, largest - covered); seq <= largest; ++seq) {
    Record& r = At(seq);
    if (!r.live) continue;
    bool got = seq == largest;
    if (!got) {
      uint64_t bit = largest - 1 - seq;
      got = (static_cast<uint8_t>(seen[bit / 8]) >> (bit % 8)) & 1;
    }
    if (!got) continue;
    if (seq == largest) {
      largest_new = true;
      largest_sent = r.sent;
    }
    Delivered(r, now, rs);
  }
  if (largest_new) {
    TimeUs rtt = now - largest_sent;
    // Subtract the receiver's hold time only when that keeps the sample sane.
    if (rtt > ack.delay_us() && rtt - ack.delay_us() >= rtt_.min_rtt()) rtt -= ack.delay_us();
    rtt_.OnSample(rtt, now);
  }
  TimeUs loss_delay = std::max<TimeUs>(9 * std::max(rtt_.smoothed(), rtt_.latest()) / 8, kUsPerMs);
  for (uint64_t seq = base_seq_; seq < largest; ++seq) {
    Record& r = At(seq);
    if (r.live && (largest - seq > kReorderThreshold || r.sent + loss_delay <= now)) Lost(r);
  }
  AdvanceBase();
  if (rs.newly_acked > 0) {
    rto_backoff_ = 1;
    last_progress_ = now;
    cc_.OnAck(rs, rtt_, inflight_bytes_, now);
  }
  CheckAllAcked(now);
}

void Sender::CheckAllAcked(TimeUs now) {
  if (state_ == SenderState::kSending && acked_.count() == geom_.total_chunks()) {
    state_ = SenderState::kAwaitingOutcome;
    all_acked_at_ = now;
    probe_next_ = now + params_.probe_interval;
  }
}

void Sender::OnNeed(const wire::Need& need, TimeUs now) {
  last_heard_ = now;
  if (state_ != SenderState::kSending && state_ != SenderState::kAwaitingOutcome) return;
  uint64_t total = geom_.total_chunks();
  for (const wire::Range& r : need.missing()) {
    if (r.first() >= total || r.count() == 0 || r.count() > total - r.first()) continue;
    uint64_t b = r.first(), e = r.first() + r.count();
    for (uint64_t i = std::max(b, geom_.manifest_chunks()); i < e; ++i)
      if (acked_.Contains(i)) payload_acked_bytes_ -= geom_.Locate(i).length;
    acked_.Remove(b, e);
    resend_.Add(b, e);
  }
  if (state_ == SenderState::kAwaitingOutcome && !resend_.empty()) state_ = SenderState::kSending;
}

void Sender::OnOutcome(const wire::Outcome& outcome, TimeUs now) {
  last_heard_ = now;
  wire::Datagram d = NewDatagram();
  d.mutable_outcome_ack()->set_transfer(transfer());
  QueueControl(std::move(d));
  if (finished()) return;
  outcome_ = outcome;
  state_ = SenderState::kDone;
  if (outcome.status() == wire::OUTCOME_INSTALLED || outcome.status() == wire::OUTCOME_STAGED) {
    // The host holds everything, even if its last acks are still on the way.
    acked_.Add(0, geom_.total_chunks());
    payload_acked_bytes_ = geom_.payload_size();
  }
}

void Sender::DetectTimeouts(TimeUs now) {
  if (base_seq_ >= next_seq_) return;
  TimeUs rto = rtt_.Rto() * rto_backoff_;
  // Like TCP's retransmission timer, restarted by every ack that makes
  // progress: a long queue is not a timeout as long as acks keep coming.
  if (now < std::max(At(base_seq_).sent, last_progress_) + rto) return;
  for (uint64_t seq = base_seq_; seq < next_seq_; ++seq) {
    Record& r = At(seq);
    if (r.live && r.sent + rto <= now) Lost(r);
  }
  AdvanceBase();
  rto_backoff_ = std::min(rto_backoff_ * 2, kMaxBackoff);
}

void Sender::OnTimer(TimeUs now) {
  auto probe = [&] {
    if (now < probe_next_) return;
    wire::Datagram d = NewDatagram();
    d.mutable_probe()->set_transfer(transfer());
    QueueControl(std::move(d));
    probe_next_ = now + std::max(params_.probe_interval, rtt_.Rto());
  };
  switch (state_) {
    case SenderState::kOffering:
      if (now - offer_started_ >= params_.offer_deadline)
        Fail("no answer to the offer within " + std::to_string(params_.offer_deadline / kUsPerSec) +
             " s (host down or unreachable)");
      else if (now >= offer_next_)
        QueueOffer(now);
      return;
    case SenderState::kSending: {
      if (now - last_heard_ >= params_.peer_timeout) {
        Fail("host stopped responding for " + std::to_string(params_.peer_timeout / kUsPerSec) + " s");
        return;
      }
      DetectTimeouts(now);
      bool stuck = inflight_pkts_ == 0 && resend_.empty() &&
                   acked_.FirstMissingFrom(fresh_) >= geom_.total_chunks();
      if (stuck) probe();  // we think it is all out, the host disagrees: ask what it lacks
      return;
    }
    case SenderState::kAwaitingOutcome:
      if (now - all_acked_at_ >= params_.outcome_timeout) {
        Fail("no outcome from host within " + std::to_string(params_.outcome_timeout / kUsPerSec) + " s");
        return;
      }
      if (now - last_heard_ >= params_.peer_timeout) {
        Fail("host stopped responding for " + std::to_string(params_.peer_timeout / kUsPerSec) + " s");
        return;
      }
      probe();
      return;
    default:
      return;
  }
}

std::optional<ChunkSend> Sender::NextChunk(TimeUs now) {
  if (state_ != SenderState::kSending) return std::nullopt;
  uint64_t window = std::min<uint64_t>(receive_window_, ring_.size());
  if (inflight_pkts_ >= window || inflight_bytes_ >= cc_.cwnd_bytes()) return std::nullopt;
  if (next_seq_ - base_seq_ >= ring_.size()) return std::nullopt;  // oldest record still pending
  double rate = cc_.pacing_rate();
  double burst = std::max(16.0 * geom_.chunk_size(), rate * kPacingQuantum / kUsPerSec);
  tokens_ = std::min(burst, tokens_ + static_cast<double>(now - tokens_at_) * rate / kUsPerSec);
  tokens_at_ = now;
  if (tokens_ < 0) return std::nullopt;

  uint64_t index = geom_.total_chunks();
  bool retransmit = false;
  while (!resend_.empty()) {
    uint64_t i = resend_.Front();
    resend_.Remove(i, i + 1);
    if (!acked_.Contains(i)) {
      index = i;
      retransmit = true;
      break;
    }
  }
  if (!retransmit) {
    uint64_t i = acked_.FirstMissingFrom(fresh_);
    if (i >= geom_.total_chunks()) {
      // Nothing left to send: samples taken until what is in flight drains
      // measure us, not the path.
      app_limited_ = true;
      return std::nullopt;
    }
    index = i;
    fresh_ = i + 1;
  }
  if (inflight_pkts_ == 0) delivered_time_ = first_sent_time_ = now;
  ChunkSpan span = geom_.Locate(index);
  uint64_t seq = next_seq_++;
  Record& r = At(seq);
  r = Record{index, now, delivered_, delivered_time_, first_sent_time_, span.length, app_limited_, true};
  app_limited_ = false;
  inflight_bytes_ += span.length;
  ++inflight_pkts_;
  tokens_ -= span.length;
  ++sent_;
  if (retransmit) ++retransmitted_;
  return ChunkSend{index, seq, span};
}

TimeUs Sender::NextWakeup() const {
  switch (state_) {
    case SenderState::kOffering:
      return std::min(offer_next_, offer_started_ + params_.offer_deadline);
    case SenderState::kSending: {
      TimeUs t = last_heard_ + params_.peer_timeout;
      if (base_seq_ < next_seq_)
        t = std::min(t, std::max(ring_[base_seq_ & ring_mask_].sent, last_progress_) + rtt_.Rto() * rto_backoff_);
      bool more = !resend_.empty() || acked_.FirstMissingFrom(fresh_) < geom_.total_chunks();
      uint64_t window = std::min<uint64_t>(receive_window_, ring_.size());
      bool open = inflight_pkts_ < window && inflight_bytes_ < cc_.cwnd_bytes();
      if (more && open && tokens_ < 0) {
        double wait = -tokens_ * kUsPerSec / std::max(cc_.pacing_rate(), 1.0);
        t = std::min(t, tokens_at_ + static_cast<TimeUs>(wait) + 1);
      }
      if (!more && inflight_pkts_ == 0) t = std::min(t, probe_next_);
      return t;
    }
    case SenderState::kAwaitingOutcome:
      return std::min({probe_next_, all_acked_at_ + params_.outcome_timeout, last_heard_ + params_.peer_timeout});
    default:
      return kNever;
  }
}

SenderProgress Sender::progress() const {
  SenderProgress p;
  p.chunks_acked = acked_.count();
  p.chunks_total = geom_.total_chunks();
  p.payload_bytes_acked = payload_acked_bytes_;
  p.payload_bytes = geom_.payload_size();
  p.sent = sent_;
  p.retransmitted = retransmitted_;
  p.lost = lost_;
  return p;
}

}  // namespace nxt::transfer
