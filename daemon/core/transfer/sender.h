// Sender: the server's side of one transfer to one host.
//
// Offer (retried with backoff) -> Accept with resume ranges -> chunks paced by
// the congestion controller, at most one window in flight -> selective acks by
// datagram sequence number (loss declared by a reorder threshold, a time
// threshold, or the retransmission timeout) -> wait for the host's Outcome.
// A Need (after a probe, or for a block that failed its hash) puts chunks back.
//
// Memory is O(window): per in-flight datagram a small record, never payload
// bytes; the caller reads chunk bytes from the artifact when NextChunk says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/range_set.h"
#include "nxt/wire.pb.h"
#include "transfer/congestion.h"
#include "transfer/geometry.h"
#include "transfer/rtt.h"

namespace nxt::transfer {

enum class SenderState {
  kOffering,         // Offer sent, waiting for Accept/Decline
  kSending,          // streaming chunks
  kAwaitingOutcome,  // every chunk acknowledged; the host verifies and installs
  kDone,             // the host reported an Outcome (installed, staged or failed)
  kDeclined,         // the host declined the offer
  kFailed,           // we gave up (no answer, host stopped responding)
};

std::string_view SenderStateName(SenderState s);

struct SenderParams {
  wire::Offer offer;                             // complete, including the transfer id
  TimeUs offer_retry = 250 * kUsPerMs;           // first Offer retransmission; doubles
  TimeUs offer_deadline = 15 * kUsPerSec;        // no answer at all -> failed
  TimeUs peer_timeout = 30 * kUsPerSec;          // silence while transferring -> failed
  TimeUs outcome_timeout = 120 * kUsPerSec;      // verify + install takes at most this
  TimeUs probe_interval = 500 * kUsPerMs;        // while waiting for the outcome
  uint32_t max_window_pkts = 4096;               // records kept for in-flight datagrams
  Congestion::Params congestion;
};

struct ChunkSend {
  uint64_t index;
  uint64_t seq;
  ChunkSpan span;
};

struct SenderProgress {
  uint64_t chunks_acked = 0, chunks_total = 0;
  uint64_t payload_bytes_acked = 0, payload_bytes = 0;
  uint64_t sent = 0, retransmitted = 0, lost = 0;
};

class Sender {
 public:
  static Result<Sender> Create(SenderParams params, TimeUs now);

  // Inbound messages for this transfer (the caller matched transfer id and peer).
  void OnAccept(const wire::Accept& accept, TimeUs now);
  void OnDecline(const wire::Decline& decline, TimeUs now);
  void OnAck(const wire::Ack& ack, TimeUs now);
  void OnNeed(const wire::Need& need, TimeUs now);
  void OnOutcome(const wire::Outcome& outcome, TimeUs now);
  // The host restarted (new instance in its Hello): offer again; it answers
  // with what it kept on disk.
  void Restart(TimeUs now);

  // Outbound. Call OnTimer when NextWakeup() is due, then drain TakeControl()
  // and NextChunk() until it returns nothing.
  void OnTimer(TimeUs now);
  std::vector<wire::Datagram> TakeControl();
  std::optional<ChunkSend> NextChunk(TimeUs now);
  TimeUs NextWakeup() const;

  SenderState state() const { return state_; }
  bool finished() const;
  const std::string& failure() const { return failure_; }
  const wire::Outcome& outcome() const { return outcome_; }
  const wire::Decline& decline() const { return decline_; }
  SenderProgress progress() const;
  const RttEstimator& rtt() const { return rtt_; }
  const Congestion& congestion() const { return cc_; }
  const Geometry& geometry() const { return geom_; }
  uint64_t transfer() const { return params_.offer.transfer(); }

 private:
  struct Record {
    uint64_t index = 0;
    TimeUs sent = 0;
    uint64_t delivered = 0;       // bytes delivered when this was sent
    TimeUs delivered_time = 0;    // when that delivery count was reached
    TimeUs first_sent_time = 0;   // send time of the first packet of the interval
    uint32_t bytes = 0;
    bool app_limited = false;
    bool live = false;
  };

  Sender(SenderParams params, Geometry geom, TimeUs now);
  void QueueOffer(TimeUs now);
  void QueueControl(wire::Datagram d);
  void Fail(std::string reason);
  void Delivered(Record& r, TimeUs now, RateSample& rs);
  void Lost(Record& r);
  void AdvanceBase();
  void CheckAllAcked(TimeUs now);
  void DetectTimeouts(TimeUs now);
  Record& At(uint64_t seq) { return ring_[seq & ring_mask_]; }

  SenderParams params_;
  Geometry geom_;
  SenderState state_ = SenderState::kOffering;
  std::string failure_;
  wire::Outcome outcome_;
  wire::Decline decline_;
  std::vector<wire::Datagram> control_;

  // Offer retries and liveness.
  TimeUs offer_next_ = 0, offer_interval_ = 0, offer_started_ = 0;
  TimeUs last_heard_ = 0, all_acked_at_ = 0, probe_next_ = 0;

  // Chunk bookkeeping: what the host holds, what to resend, what was never sent.
  RangeSet acked_, resend_;
  uint64_t fresh_ = 0;
  uint64_t payload_acked_bytes_ = 0;

  // In-flight records, a ring indexed by sequence number.
  std::vector<Record> ring_;
  uint64_t ring_mask_ = 0;
  uint64_t next_seq_ = 1, base_seq_ = 1;
  uint64_t inflight_bytes_ = 0, inflight_pkts_ = 0;
  uint32_t receive_window_ = 0;

  // Delivery-rate state (BBR's delivered / delivered_time / first_sent_time).
  uint64_t delivered_ = 0;
  TimeUs delivered_time_ = 0, first_sent_time_ = 0;
  bool app_limited_ = false;

  RttEstimator rtt_;
  Congestion cc_;
  TimeUs rto_backoff_ = 1;
  TimeUs last_progress_ = 0;  // last ack that acknowledged something new
  double tokens_ = 0;          // pacing budget in bytes; may go negative
  TimeUs tokens_at_ = 0;

  uint64_t sent_ = 0, retransmitted_ = 0, lost_ = 0;
};

}  // namespace nxt::transfer
