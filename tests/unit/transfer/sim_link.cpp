#include "sim_link.h"

#include <algorithm>

namespace nxt::transfer::sim {

void Link::Send(std::string bytes, TimeUs now) {
  if (!up_ || Chance(imp_.loss)) { ++dropped_; return; }
  if (Chance(imp_.corrupt) && !bytes.empty()) {
    size_t pos = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng_);
    bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << (rng_() % 8)));
  }
  int copies = Chance(imp_.dup) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    TimeUs depart = now;
    if (imp_.rate_bps > 0) {
      size_t queued = std::count_if(flight_.begin(), flight_.end(), [&](const InFlight& f) { return f.at > now + imp_.delay + imp_.jitter; });
      if (queued >= imp_.queue_limit) { ++dropped_; continue; }
      depart = std::max(now, link_free_at_) + static_cast<TimeUs>(bytes.size() * 1e6 / imp_.rate_bps);
      link_free_at_ = depart;
    }
    TimeUs jitter = imp_.jitter ? rng_() % imp_.jitter : 0;
    flight_.push_back({depart + imp_.delay + jitter, order_++, bytes});
  }
}

std::vector<std::string> Link::Deliver(TimeUs now) {
  std::vector<InFlight> due;
  auto it = std::partition(flight_.begin(), flight_.end(), [&](const InFlight& f) { return f.at > now; });
  due.assign(std::make_move_iterator(it), std::make_move_iterator(flight_.end()));
  flight_.erase(it, flight_.end());
  std::sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });
  std::vector<std::string> out;
  for (auto& f : due) out.push_back(std::move(f.bytes));
  return out;
}

TimeUs Link::NextArrival() const {
  TimeUs t = kNever;
  for (const auto& f : flight_) t = std::min(t, f.at);
  return t;
}

Harness::Harness(uint64_t payload_size, Impairment forward, Impairment back, uint64_t seed,
                 uint32_t chunk_size, uint32_t block_size)
    : rng_(seed), fwd_(forward, seed * 3 + 1), back_(back, seed * 7 + 2) {
  payload_.resize(payload_size);
  for (auto& c : payload_) c = static_cast<char>(rng_());
  manifest_.assign(2500, 'm');
  for (auto& c : manifest_) c = static_cast<char>(rng_());
  rx_payload_.assign(payload_size, '\0');
  rx_manifest_.assign(manifest_.size(), '\0');
  offer_.set_transfer(seed * 1000 + 17);
  offer_.set_size(payload_size);
  offer_.set_block_size(block_size);
  offer_.set_chunk_size(chunk_size);
  offer_.set_manifest_size(manifest_.size());
  SenderParams p;
  p.offer = offer_;
  p.congestion.mss = chunk_size;
  auto s = Sender::Create(p, clock_.NowUs());
  sender_.emplace(std::move(s).value());
}

void Harness::PreloadHost(uint64_t first, uint64_t end) {
  auto g = Geometry::Make(manifest_.size(), payload_.size(), offer_.block_size(), offer_.chunk_size());
  for (uint64_t i = first; i < end; ++i) {
    ChunkSpan s = g->Locate(i);
    auto& dst = s.manifest ? rx_manifest_ : rx_payload_;
    const auto& src = s.manifest ? manifest_ : payload_;
    dst.replace(s.offset, s.length, src, s.offset, s.length);
  }
  disk_.Add(first, end);
}

void Harness::HostSend(wire::Datagram d) { back_.Send(d.SerializeAsString(), clock_.NowUs()); }

void Harness::HostVerify() {
  const Geometry& g = rx_->geometry();
  if (!manifest_ok_ && rx_->manifest_complete()) {
    if (rx_manifest_ == manifest_) {
      manifest_ok_ = true;
    } else {
      ++corrupt_blocks_;
      rx_->ForgetManifest();
      disk_.Remove(0, g.manifest_chunks());
    }
  }
  while (manifest_ok_ && !pending_blocks_.empty()) {
    uint64_t b = pending_blocks_.front();
    pending_blocks_.pop_front();
    uint64_t off = b * g.block_size(), len = g.BlockLength(b);
    if (rx_payload_.compare(off, len, payload_, off, len) == 0) {
      ++verified_blocks_;
    } else {
      ++corrupt_blocks_;
      rx_->ForgetBlock(b);
      auto [f, e] = g.BlockChunks(b);
      disk_.Remove(f, e);
    }
  }
  for (auto& d : rx_->TakeControl()) HostSend(std::move(d));
  if (rx_->complete() && manifest_ok_ && pending_blocks_.empty() && !outcome_sent_) {
    outcome_sent_ = true;
    wire::Datagram d;
    d.set_version(wire::PROTOCOL_VERSION_CURRENT);
    d.mutable_outcome()->set_transfer(rx_->transfer());
    d.mutable_outcome()->set_status(wire::OUTCOME_INSTALLED);
    HostSend(d);
  }
}

void Harness::HostReceive(const std::string& bytes) {
  TimeUs now = clock_.NowUs();
  wire::Datagram d;
  if (!d.ParseFromString(bytes) || d.version() != wire::PROTOCOL_VERSION_CURRENT) { ++malformed_; return; }
  if (d.has_offer()) {
    if (!rx_ || rx_->transfer() != d.offer().transfer()) {
      auto r = Receiver::Create(d.offer(), ReceiverParams{}, now);
      if (!r.ok()) { ++malformed_; return; }
      rx_.emplace(std::move(r).value());
      rx_->Restore(disk_);
      // Blocks that were complete on disk still need verifying after a restart.
      manifest_ok_ = false;
      pending_blocks_.clear();
      for (uint64_t b = 0; b < rx_->geometry().blocks(); ++b) {
        auto [f, e] = rx_->geometry().BlockChunks(b);
        if (disk_.ContainsAll(f, e)) pending_blocks_.push_back(b);
      }
    }
    HostSend(rx_->MakeAccept());
    HostVerify();
    return;
  }
  if (!rx_) return;
  if (d.has_chunk() && d.chunk().transfer() == rx_->transfer()) {
    bool bad = false;
    auto span = rx_->OnChunk(d.seq(), d.chunk(), now, &bad);
    if (bad) ++malformed_;
    if (span) {
      auto& dst = span->manifest ? rx_manifest_ : rx_payload_;
      dst.replace(span->offset, span->length, d.chunk().data());
      disk_.Add(d.chunk().index());
      if (auto block = rx_->OnStored(d.chunk().index())) pending_blocks_.push_back(*block);
      HostVerify();
    }
    if (auto ack = rx_->TakeAck(now, false)) HostSend(std::move(*ack));
  } else if (d.has_probe()) {
    if (outcome_sent_) {
      outcome_sent_ = false;  // resend
    } else {
      rx_->OnProbe();
    }
    HostVerify();
  }
}

void Harness::SenderReceive(const std::string& bytes) {
  TimeUs now = clock_.NowUs();
  wire::Datagram d;
  if (!d.ParseFromString(bytes) || d.version() != wire::PROTOCOL_VERSION_CURRENT) return;
  if (d.has_accept()) sender_->OnAccept(d.accept(), now);
  else if (d.has_decline()) sender_->OnDecline(d.decline(), now);
  else if (d.has_ack()) sender_->OnAck(d.ack(), now);
  else if (d.has_need()) sender_->OnNeed(d.need(), now);
  else if (d.has_outcome()) sender_->OnOutcome(d.outcome(), now);
}

void Harness::PumpSender() {
  TimeUs now = clock_.NowUs();
  sender_->OnTimer(now);
  for (auto& d : sender_->TakeControl()) fwd_.Send(d.SerializeAsString(), now);
  while (auto c = sender_->NextChunk(now)) {
    wire::Datagram d;
    d.set_version(wire::PROTOCOL_VERSION_CURRENT);
    d.set_seq(c->seq);
    wire::Chunk* ch = d.mutable_chunk();
    ch->set_transfer(sender_->transfer());
    ch->set_index(c->index);
    ch->set_sent_us(now);
    const auto& src = c->span.manifest ? manifest_ : payload_;
    ch->set_data(src.substr(c->span.offset, c->span.length));
    fwd_.Send(d.SerializeAsString(), now);
  }
}

Result Harness::Run(TimeUs limit) {
  TimeUs start = clock_.NowUs();
  while (!sender_->finished() && clock_.NowUs() - start < limit) {
    TimeUs now = clock_.NowUs();
    if (now >= restart_at_) {  // the host dies: in-memory state gone, disk kept
      restart_at_ = kNever;
      host_up_ = false;
      fwd_.set_up(false);
      rx_.reset();
      outcome_sent_ = false;
      host_back_at_ = now + restart_down_;
    }
    if (!host_up_ && now >= host_back_at_) {
      host_up_ = true;
      fwd_.set_up(true);
      sender_->Restart(now);  // what the server does on a Hello with a new instance
    }
    PumpSender();
    auto arrivals = fwd_.Deliver(now);
    for (const auto& b : arrivals) HostReceive(b);
    if (rx_ && !arrivals.empty())
      if (auto ack = rx_->TakeAck(now, true)) HostSend(std::move(*ack));
    for (const auto& b : back_.Deliver(now)) SenderReceive(b);
    PumpSender();
    TimeUs next = std::min({sender_->NextWakeup(), fwd_.NextArrival(), back_.NextArrival(),
                            rx_ ? rx_->NextWakeup() : kNever, restart_at_, host_back_at_});
    if (rx_ && now >= rx_->NextWakeup() - 0) {
      if (auto ack = rx_->TakeAck(now, true)) HostSend(std::move(*ack));
    }
    next = std::max(next, now + 1);
    clock_.Set(std::min(next, start + limit));
  }
  Result r;
  r.state = sender_->state();
  r.installed = sender_->state() == SenderState::kDone && sender_->outcome().status() == wire::OUTCOME_INSTALLED;
  r.failure = sender_->failure();
  r.progress = sender_->progress();
  r.elapsed = clock_.NowUs() - start;
  r.corrupt_blocks = corrupt_blocks_;
  r.rx_malformed = malformed_;
  return r;
}

}  // namespace nxt::transfer::sim
