#include "server/push_engine.h"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "base/crash_point.h"
#include "crypto/digest.h"
#include "crypto/wrap.h"
#include "wire/chunk_encoder.h"
#include "wire/codec.h"

namespace nxt::server {
namespace {
constexpr TimeUs kProgressTick = 250 * kUsPerMs;
constexpr int kBurstPerJob = 32;  // chunks per job per round: fairness between hosts
constexpr sys::MessageId kMsgTargetDone("5b0e3c1f9d2a4e6b8c7d1a2b3c4d5e01");

control::TargetState StateFor(const transfer::Sender& s, std::string* reason) {
  using transfer::SenderState;
  switch (s.state()) {
    case SenderState::kOffering: return control::TARGET_OFFERED;
    case SenderState::kSending: return control::TARGET_TRANSFERRING;
    case SenderState::kAwaitingOutcome: return control::TARGET_VERIFYING;
    case SenderState::kFailed: *reason = s.failure(); return control::TARGET_FAILED;
    case SenderState::kDeclined:
      if (s.decline().reason() == wire::DECLINE_ALREADY_INSTALLED) {
        *reason = "already installed";
        return control::TARGET_INSTALLED;
      }
      *reason = s.decline().message();
      return control::TARGET_DECLINED;
    case SenderState::kDone:
      *reason = s.outcome().reason();
      switch (s.outcome().status()) {
        case wire::OUTCOME_INSTALLED: return control::TARGET_INSTALLED;
        case wire::OUTCOME_STAGED: return control::TARGET_STAGED;
        case wire::OUTCOME_DECLINED: return control::TARGET_DECLINED;
        default: return control::TARGET_FAILED;
      }
  }
  return control::TARGET_FAILED;
}
}  // namespace

PushEngine::PushEngine(sys::EventLoop& loop, const Clock& clock, sys::Logger& log, Peers& peers, PushOptions options,
                       TargetChanged on_change)
    : loop_(loop), clock_(clock), log_(log), peers_(peers), opt_(options), on_change_(std::move(on_change)),
      timer_(loop, [this] { Pump(); }), tick_(loop, [this] { ReportProgress(); }),
      queue_(kQueueDatagrams, opt_.max_datagram, opt_.gso) {
  inner_.resize(opt_.max_datagram);
}

// What is left of a datagram for chunk bytes once the chunk fields and the
// session's sealing (framing + GCM tag) are paid for.
uint64_t PushEngine::chunk_size() const {
  return opt_.max_datagram - wire::kChunkDatagramMaxOverhead - secure::kSealOverhead;
}

uint64_t PushEngine::NewTransferId() {
  // Random per transfer: a datagram of an earlier server process never
  // matches a transfer of this one.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t id;
  do id = rng(); while (id == 0 || jobs_.count(id));
  return id;
}

void PushEngine::Start(const std::shared_ptr<Deployment>& dep, const std::string& client_id,
                       const std::string& client_key) {
  TimeUs now = clock_.NowUs();
  const artifact::StoredArtifact& art = *dep->artifact();
  transfer::SenderParams p;
  wire::Offer& o = p.offer;
  o.set_transfer(NewTransferId());
  *o.mutable_artifact() = dep->release();
  o.set_size(dep->payload_size());
  o.set_block_size(dep->wire_block_size());
  if (dep->encrypted()) {
    auto recipient = crypto::X25519PublicKey::FromBytes(crypto::AsBytes(client_key));
    auto wrapped = recipient.ok() ? crypto::WrapKey(crypto::AsBytes(dep->content_key()).first<32>(), *recipient,
                                                    crypto::AsBytes(art.manifest.artifact().sha256()))
                                  : Result<crypto::WrappedKey>(recipient.error());
    if (!wrapped.ok()) {
      control::TargetProgress& t = dep->target(client_id);
      t.set_state(control::TARGET_FAILED);
      t.set_reason("cannot wrap the content key to the host's key: " + wrapped.error().message());
      on_change_(*dep, t);
      return;
    }
    o.set_encrypted(true);
    o.set_wrapped_key(wrapped->ToBytes());
  }
  o.set_chunk_size(static_cast<uint32_t>(chunk_size()));
  o.set_manifest_size(dep->signed_manifest().size());
  o.set_manifest_sha256(crypto::DigestToBytes(dep->signed_manifest_sha256()));
  o.set_activation(dep->activation());
  o.set_deployment(dep->id());
  p.congestion.mss = static_cast<uint32_t>(chunk_size());
  p.congestion.max_rate = opt_.max_rate;
  auto sender = transfer::Sender::Create(std::move(p), now);
  control::TargetProgress& t = dep->target(client_id);
  if (!sender.ok()) {
    t.set_state(control::TARGET_FAILED);
    t.set_reason(sender.error().message());
    on_change_(*dep, t);
    return;
  }
  auto job = std::make_unique<Job>(Job{dep, client_id, std::move(sender).value(), now,
                                       transfer::SenderState::kOffering, 0, ChunkReader{}});
  uint64_t id = job->sender.transfer();
  jobs_.emplace(id, std::move(job));
  t.set_state(control::TARGET_OFFERED);
  on_change_(*dep, t);
  if (!tick_.armed()) tick_.Arm(kProgressTick);
  timer_.Arm(0);
}

void PushEngine::OnDatagram(Peer& peer, const wire::Datagram& d) {
  uint64_t transfer = 0;
  switch (d.body_case()) {
    case wire::Datagram::kAccept: transfer = d.accept().transfer(); break;
    case wire::Datagram::kDecline: transfer = d.decline().transfer(); break;
    case wire::Datagram::kAck: transfer = d.ack().transfer(); break;
    case wire::Datagram::kNeed: transfer = d.need().transfer(); break;
    case wire::Datagram::kOutcome: transfer = d.outcome().transfer(); break;
    default: return;
  }
  auto it = jobs_.find(transfer);
  // A host may only speak for its own transfers.
  if (it == jobs_.end() || it->second->client != peer.client_id) {
    if (d.has_outcome()) {  // our OutcomeAck was lost after the job ended: ack again
      wire::Datagram ack;
      ack.set_version(wire::PROTOCOL_VERSION_CURRENT);
      ack.mutable_outcome_ack()->set_transfer(transfer);
      (void)peers_.Send(peer, ack);
    }
    return;
  }
  Job& job = *it->second;
  TimeUs now = clock_.NowUs();
  switch (d.body_case()) {
    case wire::Datagram::kAccept: job.sender.OnAccept(d.accept(), now); break;
    case wire::Datagram::kDecline: job.sender.OnDecline(d.decline(), now); break;
    case wire::Datagram::kAck: job.sender.OnAck(d.ack(), now); break;
    case wire::Datagram::kNeed: job.sender.OnNeed(d.need(), now); break;
    case wire::Datagram::kOutcome: job.sender.OnOutcome(d.outcome(), now); break;
    default: break;
  }
  if (!pumping_) Pump();
}

void PushEngine::OnHostRestarted(const std::string& client_id) {
  TimeUs now = clock_.NowUs();
  for (auto& [id, job] : jobs_)
    if (job->client == client_id) job->sender.Restart(now);
  timer_.Arm(0);
}

void PushEngine::OnHostReachable(const std::string& client_id) {
  for (const auto& [id, job] : jobs_)
    if (job->client == client_id && job->waiting_since != 0) return timer_.Arm(0);
}

bool PushEngine::HasJob(const std::string& client_id) const {
  for (const auto& [id, job] : jobs_)
    if (job->client == client_id) return true;
  return false;
}

void PushEngine::FailJob(Job& job, TimeUs now, const std::string& reason) {
  control::TargetProgress& t = job.dep->target(job.client);
  t.set_state(control::TARGET_FAILED);
  t.set_reason(reason);
  t.set_elapsed_ms((now - job.started) / kUsPerMs);
  log_.Info(kMsgTargetDone, "push to " + job.client + ": TARGET_FAILED (" + reason + ")",
            {{"NXT_CLIENT", job.client}, {"NXT_STATE", "TARGET_FAILED"}});
  on_change_(*job.dep, t);
  job.dep->Notify();
}

void PushEngine::Abort(const std::string& client_id, const std::string& reason) {
  TimeUs now = clock_.NowUs();
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->second->client != client_id) {
      ++it;
      continue;
    }
    FailJob(*it->second, now, reason);
    it = jobs_.erase(it);
  }
}

void PushEngine::SendControl(Job& job) {
  Peer* peer = peers_.ForClient(job.client);
  for (wire::Datagram& d : job.sender.TakeControl()) {
    // No session (the host is re-handshaking): the sender retries on its timers.
    if (!peer) continue;
    Status st = peers_.Send(*peer, d);
    if (!st.ok()) log_.Debug("cannot send to " + job.client + ": " + st.error().message());
  }
}

bool PushEngine::FillChunk(Job& job, Peer& peer, const transfer::ChunkSend& c, TimeUs now, uint8_t* out,
                           size_t* len) {
  std::span<const uint8_t> data;
  if (c.span.manifest) {
    data = crypto::AsBytes(std::string_view(job.dep->signed_manifest()).substr(c.span.offset, c.span.length));
  } else {
    auto read = job.reader.Read(job.dep->payload_fd(), job.dep->payload_size(), c.span.offset, c.span.length);
    if (!read.ok()) {
      log_.Error("cannot read artifact for transfer to " + job.client + ": " + read.error().message());
      return false;
    }
    data = *read;
  }
  size_t inner = wire::EncodeChunkDatagram(inner_.data(), inner_.size(), 0, c.seq, job.sender.transfer(), c.index,
                                          now, data);
  if (inner == 0) return false;
  auto sealed = peers_.Seal(peer, {inner_.data(), inner}, {out, opt_.max_datagram});
  if (!sealed.ok()) return false;
  *len = *sealed;
  NXT_CRASH_POINT("server.chunk_sent");
  return true;
}

bool PushEngine::Flush() {
  if (queue_.empty()) return true;
  // Whatever did not fit the socket buffer counts as lost and is resent; the
  // writable event resumes pumping as soon as the kernel drains.
  bool all = queue_.Flush(*queue_udp_);
  if (!all) WaitWritable(*queue_udp_);
  return all;
}

void PushEngine::WaitWritable(net::UdpEndpoint& udp) {
  writable_ = std::make_unique<sys::IoWatch>(loop_, udp.fd(), sys::Io::kWrite, [this] {
    loop_.Defer([this] { writable_.reset(); Pump(); });
    writable_->Stop();
  });
  if (!writable_->Start().ok()) writable_.reset();
}

void PushEngine::Pump() {
  pumping_ = true;
  TimeUs now = clock_.NowUs();
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = *it->second;
    if (!peers_.ForClient(job.client)) {
      // No session with the host (the server just restarted, or the host is
      // re-handshaking): the transfer waits instead of burning its timeouts,
      // up to a limit, then fails with a reason.
      if (job.waiting_since == 0) job.waiting_since = now;
      if (now - job.waiting_since >= opt_.host_wait) {
        FailJob(job, now, "host did not connect within " + std::to_string(opt_.host_wait / kUsPerSec) + " s");
        it = jobs_.erase(it);
        continue;
      }
    } else if (job.waiting_since != 0) {
      job.waiting_since = 0;
      job.sender.Restart(now);  // offer afresh: the host says what it has on disk
    }
    if (job.waiting_since == 0) {
      job.sender.OnTimer(now);
      SendControl(job);
    }
    ++it;
  }
  bool blocked = writable_ != nullptr;
  for (bool more = true; more && !blocked;) {
    more = false;
    for (auto& [id, job] : jobs_) {
      Peer* peer = peers_.ForClient(job->client);
      if (!peer) continue;  // between sessions: nothing can be sealed for it
      for (int k = 0; k < kBurstPerJob && !blocked; ++k) {
        auto c = job->sender.NextChunk(now);
        if (!c) break;
        more = true;
        if (queue_udp_ != peer->udp && !queue_.empty()) blocked = !Flush();
        if (blocked) break;
        queue_udp_ = peer->udp;
        size_t len = 0;
        if (!FillChunk(*job, *peer, *c, now, queue_.Slot(), &len)) continue;
        queue_.Commit(peer->address, len);
        if (queue_.full()) blocked = !Flush();
      }
    }
  }
  if (!blocked) Flush();
  TimeUs next = kNever;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = *it->second;
    SendControl(job);
    Settle(job, now, false);
    if (job.sender.finished()) {
      it = jobs_.erase(it);
      continue;
    }
    next = std::min(next, job.waiting_since ? job.waiting_since + opt_.host_wait : job.sender.NextWakeup());
    ++it;
  }
  if (next != kNever) timer_.Arm(next > now ? next - now : 0);
  pumping_ = false;
}

void PushEngine::Settle(Job& job, TimeUs now, bool force_notify) {
  std::string reason;
  control::TargetState state = StateFor(job.sender, &reason);
  control::TargetProgress& t = job.dep->target(job.client);
  transfer::SenderProgress p = job.sender.progress();
  t.set_bytes_done(p.payload_bytes_acked);
  t.set_bytes_total(p.payload_bytes);
  t.set_retransmitted(p.retransmitted);
  t.set_elapsed_ms((now - job.started) / kUsPerMs);
  bool changed = job.last_state != job.sender.state() || t.state() != state;
  job.last_state = job.sender.state();
  if (!changed) {
    if (force_notify) job.dep->Notify();
    return;
  }
  t.set_state(state);
  t.set_reason(reason);
  if (job.sender.state() == transfer::SenderState::kDone) *t.mutable_running() = job.sender.outcome().running();
  if (IsTerminal(state)) {
    std::string line = "push to " + job.client + ": " + control::TargetState_Name(state) +
                       (reason.empty() ? "" : " (" + reason + ")");
    log_.Info(kMsgTargetDone, line,
              {{"NXT_CLIENT", job.client}, {"NXT_STATE", control::TargetState_Name(state)},
               {"NXT_DEPLOYMENT", std::to_string(job.dep->id())},
               {"NXT_ARTIFACT_SHA256", crypto::ToHex(job.dep->artifact()->sha256)},
               {"NXT_RETRANSMITTED", std::to_string(p.retransmitted)}});
  }
  on_change_(*job.dep, t);
  job.dep->Notify();
}

void PushEngine::ReportProgress() {
  TimeUs now = clock_.NowUs();
  for (auto& [id, job] : jobs_) Settle(*job, now, true);
  if (!jobs_.empty()) tick_.Arm(kProgressTick);
}

}  // namespace nxt::server
