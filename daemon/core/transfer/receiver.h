// Receiver: the host's side of one transfer.
//
// Tracks which chunks are held (RangeSet, persisted by the caller for
// resume), which datagram sequence numbers arrived (a 1024-seq window, sent
// back as a 512-bit selective-ack bitmap), when to acknowledge (every
// `ack_every` datagrams or after `ack_delay`, or when the caller forces it
// at the end of a transfer), and what to ask for again when a block or the manifest fails
// verification. The caller writes the bytes and verifies hashes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/range_set.h"
#include "nxt/wire.pb.h"
#include "transfer/geometry.h"

namespace nxt::transfer {

struct ReceiverParams {
  uint32_t ack_every = 32;                 // datagrams per ack under load
  TimeUs ack_delay = 2 * kUsPerMs;         // longest a datagram waits for its ack
  uint32_t receive_window = 2048;          // datagrams; sized from the socket buffer
  TimeUs stall_timeout = 60 * kUsPerSec;   // no chunk for this long: give up (staging kept)
  uint32_t max_need_ranges = 40;           // fits a Need in 1200 bytes
};

class Receiver {
 public:
  static Result<Receiver> Create(const wire::Offer& offer, ReceiverParams params, TimeUs now);

  // Chunks already durable on disk from an earlier attempt.
  void Restore(const RangeSet& held);
  wire::Datagram MakeAccept() const;

  // A Chunk arrived with datagram sequence number `seq`. Returns where its
  // bytes belong, or nothing when it is a duplicate or does not fit the
  // geometry (a malformed chunk is also reported through `malformed`).
  std::optional<ChunkSpan> OnChunk(uint64_t seq, const wire::Chunk& chunk, TimeUs now, bool* malformed = nullptr);
  // The chunk's bytes are stored. Returns the payload block it completed.
  std::optional<uint64_t> OnStored(uint64_t index);

  bool manifest_complete() const;
  bool complete() const { return held_.count() == geom_.total_chunks(); }
  // Verification failed: forget those chunks and ask for them again.
  void ForgetManifest();
  void ForgetBlock(uint64_t block);
  void OnProbe();

  std::optional<wire::Datagram> TakeAck(TimeUs now, bool flush);
  std::vector<wire::Datagram> TakeControl();
  TimeUs NextWakeup() const;
  bool Stalled(TimeUs now) const { return now - last_chunk_at_ >= params_.stall_timeout; }

  const RangeSet& held() const { return held_; }
  const Geometry& geometry() const { return geom_; }
  uint64_t transfer() const { return transfer_; }
  uint64_t duplicates() const { return duplicates_; }

 private:
  static constexpr uint64_t kSeqWindow = 1024;
  static constexpr uint64_t kAckBits = 512;

  Receiver(uint64_t transfer, Geometry geom, ReceiverParams params, TimeUs now);
  void NoteSeq(uint64_t seq, uint64_t sent_us, TimeUs now);
  bool SeqSeen(uint64_t seq) const;
  void QueueNeed(uint64_t begin, uint64_t end);

  uint64_t transfer_;
  Geometry geom_;
  ReceiverParams params_;
  RangeSet held_;

  std::array<uint64_t, kSeqWindow / 64> seen_{};
  uint64_t largest_seq_ = 0, largest_sent_us_ = 0;
  TimeUs largest_at_ = 0;
  uint32_t unacked_ = 0;
  TimeUs first_unacked_at_ = 0, last_chunk_at_ = 0;
  uint64_t duplicates_ = 0;
  std::vector<wire::Datagram> control_;
};

}  // namespace nxt::transfer
