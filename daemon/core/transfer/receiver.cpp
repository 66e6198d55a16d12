#include "transfer/receiver.h"

#include <algorithm>

namespace nxt::transfer {
namespace {
wire::Datagram NewDatagram() {
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  return d;
}
}  // namespace

Result<Receiver> Receiver::Create(const wire::Offer& o, ReceiverParams params, TimeUs now) {
  NXT_ASSIGN(Geometry g, Geometry::Make(o.manifest_size(), o.size(), o.block_size(), o.chunk_size()));
  return Receiver(o.transfer(), g, params, now);
}

Receiver::Receiver(uint64_t transfer, Geometry geom, ReceiverParams params, TimeUs now)
    : transfer_(transfer), geom_(geom), params_(params), last_chunk_at_(now) {}

void Receiver::Restore(const RangeSet& held) {
  for (const Interval& iv : held.ToVector()) {
    if (iv.begin >= geom_.total_chunks()) break;
    held_.Add(iv.begin, std::min(iv.end, geom_.total_chunks()));
  }
}

wire::Datagram Receiver::MakeAccept() const {
  wire::Datagram d = NewDatagram();
  wire::Accept* a = d.mutable_accept();
  a->set_transfer(transfer_);
  a->set_receive_window(params_.receive_window);
  // A resumed transfer with a very fragmented state reports only the first
  // ranges; the rest is simply sent again.
  for (const Interval& iv : held_.ToVector()) {
    if (a->have_size() >= static_cast<int>(params_.max_need_ranges)) break;
    wire::Range* r = a->add_have();
    r->set_first(iv.begin);
    r->set_count(iv.size());
  }
  return d;
}

bool Receiver::SeqSeen(uint64_t seq) const {
  return (seen_[(seq % kSeqWindow) / 64] >> (seq % 64)) & 1;
}

void Receiver::NoteSeq(uint64_t seq, uint64_t sent_us, TimeUs now) {
  if (seq > largest_seq_) {
    // Clear the slots of the sequence numbers we skipped over.
    uint64_t gap = std::min<uint64_t>(seq - largest_seq_, kSeqWindow);
    for (uint64_t s = seq - gap + 1; s <= seq; ++s) seen_[(s % kSeqWindow) / 64] &= ~(1ULL << (s % 64));
    largest_seq_ = seq;
    largest_sent_us_ = sent_us;
    largest_at_ = now;
  } else if (largest_seq_ - seq >= kSeqWindow) {
    return;  // too old to report
  }
  seen_[(seq % kSeqWindow) / 64] |= 1ULL << (seq % 64);
  if (unacked_++ == 0) first_unacked_at_ = now;
}

std::optional<ChunkSpan> Receiver::OnChunk(uint64_t seq, const wire::Chunk& chunk, TimeUs now, bool* malformed) {
  if (malformed) *malformed = false;
  if (chunk.index() >= geom_.total_chunks() || seq == 0) {
    if (malformed) *malformed = true;
    return std::nullopt;
  }
  ChunkSpan span = geom_.Locate(chunk.index());
  if (chunk.data().size() != span.length) {
    if (malformed) *malformed = true;
    return std::nullopt;
  }
  last_chunk_at_ = now;
  NoteSeq(seq, chunk.sent_us(), now);
  if (held_.Contains(chunk.index())) {
    ++duplicates_;
    return std::nullopt;
  }
  return span;
}

std::optional<uint64_t> Receiver::OnStored(uint64_t index) {
  if (index >= geom_.total_chunks() || held_.Add(index) == 0) return std::nullopt;
  if (index < geom_.manifest_chunks()) return std::nullopt;
  uint64_t block = geom_.Locate(index).block;
  auto [first, end] = geom_.BlockChunks(block);
  if (held_.ContainsAll(first, end)) return block;
  return std::nullopt;
}

bool Receiver::manifest_complete() const { return held_.ContainsAll(0, geom_.manifest_chunks()); }

void Receiver::QueueNeed(uint64_t begin, uint64_t end) {
  wire::Datagram d = NewDatagram();
  wire::Need* n = d.mutable_need();
  n->set_transfer(transfer_);
  auto missing = held_.Missing(begin, end, params_.max_need_ranges + 1);
  n->set_truncated(missing.size() > params_.max_need_ranges);
  if (missing.size() > params_.max_need_ranges) missing.resize(params_.max_need_ranges);
  for (const Interval& iv : missing) {
    wire::Range* r = n->add_missing();
    r->set_first(iv.begin);
    r->set_count(iv.size());
  }
  n->set_chunks_held(held_.count());
  n->set_chunks_total(geom_.total_chunks());
  control_.push_back(std::move(d));
}

void Receiver::ForgetManifest() {
  held_.Remove(0, geom_.manifest_chunks());
  QueueNeed(0, geom_.manifest_chunks());
}

void Receiver::ForgetBlock(uint64_t block) {
  if (block >= geom_.blocks()) return;
  auto [first, end] = geom_.BlockChunks(block);
  held_.Remove(first, end);
  QueueNeed(first, end);
}

void Receiver::OnProbe() { QueueNeed(0, geom_.total_chunks()); }

std::optional<wire::Datagram> Receiver::TakeAck(TimeUs now, bool flush) {
  if (unacked_ == 0) return std::nullopt;
  if (!flush && unacked_ < params_.ack_every && now - first_unacked_at_ < params_.ack_delay) return std::nullopt;
  wire::Datagram d = NewDatagram();
  wire::Ack* a = d.mutable_ack();
  a->set_transfer(transfer_);
  a->set_largest(largest_seq_);
  a->set_echo_sent_us(largest_sent_us_);
  a->set_delay_us(static_cast<uint32_t>(std::min<TimeUs>(now - largest_at_, UINT32_MAX)));
  uint64_t bits = std::min<uint64_t>(kAckBits, largest_seq_ - 1);
  std::string seen((bits + 7) / 8, '\0');
  for (uint64_t i = 0; i < bits; ++i)
    if (SeqSeen(largest_seq_ - 1 - i)) seen[i / 8] = static_cast<char>(seen[i / 8] | (1 << (i % 8)));
  a->set_seen(std::move(seen));
  a->set_chunks_held(held_.count());
  a->set_chunks_total(geom_.total_chunks());
  unacked_ = 0;
  return d;
}

std::vector<wire::Datagram> Receiver::TakeControl() { return std::exchange(control_, {}); }

TimeUs Receiver::NextWakeup() const {
  TimeUs t = last_chunk_at_ + params_.stall_timeout;
  if (unacked_ > 0) t = std::min(t, first_unacked_at_ + params_.ack_delay);
  return t;
}

}  // namespace nxt::transfer
