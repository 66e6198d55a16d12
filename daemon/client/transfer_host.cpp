#include "client/transfer_host.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "base/crash_point.h"
#include "crypto/digest.h"
#include "crypto/wrap.h"
#include "plugin/elf.h"
#include "sys/atomic_file.h"
#include "wire/codec.h"

namespace nxt::client {
namespace {
constexpr TimeUs kCheckpointEvery = 2 * kUsPerSec;
constexpr TimeUs kOutcomeRetry = 500 * kUsPerMs;
constexpr int kOutcomeTries = 20;
constexpr sys::MessageId kMsgReceiving("7c1e5a3b9d2f4e60a8b7c6d5e4f3a210");
constexpr sys::MessageId kMsgInstalled("7c1e5a3b9d2f4e60a8b7c6d5e4f3a211");
constexpr sys::MessageId kMsgFailed("7c1e5a3b9d2f4e60a8b7c6d5e4f3a212");

wire::Datagram NewDatagram() {
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  return d;
}

}  // namespace

TransferHost::TransferHost(sys::EventLoop& loop, std::function<void(const wire::Datagram&)> send, const Clock& clock,
                           sys::Logger& log, std::string state_dir, PluginHost& plugins,
                           const artifact::TrustPolicy& policy, RollbackFloor& floor,
                           const crypto::X25519KeyPair& identity, ActivationHost& activation,
                           std::function<void()> on_running_changed)
    : loop_(loop), send_(std::move(send)), clock_(clock), log_(log), state_dir_(std::move(state_dir)),
      staging_dir_(state_dir_ + "/staging"), store_dir_(state_dir_ + "/store"), plugins_(plugins), policy_(policy),
      floor_(floor), identity_(identity), activation_(activation),
      on_running_changed_(std::move(on_running_changed)), timer_(loop, [this] { OnTimer(); }) {}

void TransferHost::Send(const net::Address&, const wire::Datagram& d) { send_(d); }

void TransferHost::OnDatagram(const net::Address& from, const wire::Datagram& d) {
  switch (d.body_case()) {
    case wire::Datagram::kOffer: OnOffer(from, d.offer()); break;
    case wire::Datagram::kChunk: OnChunk(d); break;
    case wire::Datagram::kProbe:
      if (auto it = outcomes_.find(d.probe().transfer()); it != outcomes_.end()) {
        Send(it->second.peer, it->second.d);
      } else if (active_ && active_->rx.transfer() == d.probe().transfer()) {
        active_->rx.OnProbe();
        SendControl();
      }
      break;
    case wire::Datagram::kOutcomeAck: outcomes_.erase(d.outcome_ack().transfer()); break;
    default: break;
  }
  ArmTimer();
}

void TransferHost::Decline(const net::Address& to, uint64_t transfer, wire::DeclineReason reason,
                           const std::string& text) {
  wire::Datagram d = NewDatagram();
  d.mutable_decline()->set_transfer(transfer);
  d.mutable_decline()->set_reason(reason);
  d.mutable_decline()->set_message(text);
  Send(to, d);
}

void TransferHost::OnOffer(const net::Address& from, const wire::Offer& offer) {
  if (active_ && active_->rx.transfer() == offer.transfer()) {  // our Accept was lost
    active_->peer = from;
    Send(from, active_->rx.MakeAccept());
    return;
  }
  if (outcomes_.count(offer.transfer())) return;  // finished; the Outcome is on its way
  TimeUs now = clock_.NowUs();
  auto sha = crypto::DigestFromBytes(offer.artifact().sha256());
  auto rx = transfer::Receiver::Create(offer, transfer::ReceiverParams{}, now);
  if (!sha.ok() || !rx.ok()) {
    return Decline(from, offer.transfer(), wire::DECLINE_INVALID,
                   "invalid offer: " + (sha.ok() ? rx.error().message() : sha.error().message()));
  }
  std::string sha_hex = crypto::ToHex(*sha);
  if (!offer.artifact().platform().empty() && offer.artifact().platform() != plugin::HostPlatform())
    return Decline(from, offer.transfer(), wire::DECLINE_WRONG_PLATFORM,
                   "built for " + offer.artifact().platform() + ", this host is " + plugin::HostPlatform());
  if (plugins_.loaded() && plugins_.Running().sha256() == offer.artifact().sha256())
    return Decline(from, offer.transfer(), wire::DECLINE_ALREADY_INSTALLED, "already running " + sha_hex.substr(0, 12));
  if (active_) {
    (void)active_->staging.Checkpoint();
    log_.Info("transfer " + active_->staging.sha_hex().substr(0, 12) + " superseded by a new offer");
    active_.reset();
  }
  // Staging quota: what is there already (kept for resumes) plus this release.
  uint64_t used = StagingBytes(), part = 0;
  struct stat st {};
  if (::stat((staging_dir_ + "/" + sha_hex + ".part").c_str(), &st) == 0) part = static_cast<uint64_t>(st.st_size);
  if (used - part + offer.size() > limits_.staging_quota)
    return Decline(from, offer.transfer(), wire::DECLINE_NO_SPACE,
                   "staging quota: " + std::to_string(offer.size()) + " bytes would exceed " +
                       std::to_string(limits_.staging_quota) + " (" + std::to_string(used) + " in use)");
  std::optional<crypto::ContentKey> content_key;
  if (offer.encrypted()) {
    // Only the hosts the release was encrypted to can unwrap its key.
    auto wrapped = crypto::WrappedKey::FromBytes(crypto::AsBytes(offer.wrapped_key()));
    auto key = wrapped.ok() ? crypto::UnwrapKey(*wrapped, identity_, crypto::AsBytes(offer.artifact().sha256()))
                            : Result<crypto::ContentKey>(wrapped.error());
    if (!key.ok())
      return Decline(from, offer.transfer(), wire::DECLINE_INVALID,
                     "cannot unwrap the release's key (encrypted to another host?): " + key.error().message());
    content_key = *key;
  }
  // Made again if someone removed them under the running daemon.
  for (const std::string* dir : {&staging_dir_, &store_dir_}) (void)sys::EnsureDir(*dir, 0750);
  auto staging = StagingFile::Open(staging_dir_, offer, rx->geometry(), policy_, clock_, content_key);
  if (!staging.ok()) {
    return Decline(from, offer.transfer(),
                   staging.error().code() == Errc::kNoSpace ? wire::DECLINE_NO_SPACE : wire::DECLINE_BUSY,
                   "cannot stage: " + staging.error().message());
  }
  ++counters_.transfers;
  active_ = std::make_unique<Active>(
      Active{offer, from, std::move(rx).value(), std::move(staging).value(), {}, now, 0, {}, now, now, 0});
  RangeSet trusted = active_->staging.Trusted();
  active_->rx.Restore(trusted);
  uint64_t total = active_->rx.geometry().total_chunks();
  log_.Info(kMsgReceiving,
            "receiving " + offer.artifact().name() + " " + sha_hex.substr(0, 12) + " (" + std::to_string(offer.size()) +
                " bytes) from " + from.ToString() +
                (trusted.empty() ? "" : ", resuming with " + std::to_string(trusted.count() * 100 / total) + "% on disk"),
            {{"NXT_ARTIFACT_SHA256", sha_hex}, {"NXT_RESUMED_CHUNKS", std::to_string(trusted.count())}});
  Send(from, active_->rx.MakeAccept());
}

void TransferHost::OnChunk(const wire::Datagram& d) {
  if (!active_ || active_->rx.transfer() != d.chunk().transfer()) return;
  TimeUs now = clock_.NowUs();
  bool malformed = false;
  auto span = active_->rx.OnChunk(d.seq(), d.chunk(), now, &malformed);
  if (malformed) ++counters_.malformed_chunks;
  if (span) {
    Status st = active_->staging.Write(*span, d.chunk().data());
    if (!st.ok()) {
      // E.g. a full disk: what was staged must not keep the space from the next push.
      active_->staging.Discard();
      return Fail(st.error().message());
    }
    NXT_CRASH_POINT("client.chunk_written");
    active_->last_byte = now;
    if (auto block = active_->rx.OnStored(d.chunk().index())) active_->pending_blocks.push_back(*block);
    Verify();
    if (!active_) return;
  }
  if (auto ack = active_->rx.TakeAck(now, false)) Send(active_->peer, *ack);
}

void TransferHost::Verify() {
  Active& a = *active_;
  if (!a.staging.manifest_verified() && a.rx.manifest_complete()) {
    // Signature, trust and expiry are checked here, before a single payload
    // byte is trusted; anti-rollback right after.
    auto ok = a.staging.VerifyManifest();
    if (!ok.ok()) return Fail(ok.error().message());
    if (!*ok) {
      ++counters_.corrupt_blocks;
      a.rx.ForgetManifest();
    } else if (const wire::ArtifactInfo& r = a.staging.manifest().artifact(); !r.product().empty()) {
      Status st = floor_.Check({r.major(), r.minor()}, a.staging.manifest().downgrade());
      if (!st.ok()) return Fail(st.error().message());
    }
    if (a.staging.manifest_verified())
      if (Status kind = AcceptsKind(a.staging.manifest()); !kind.ok()) return Fail(kind.error().message());
    // The offer's platform is only a hint; the signed one decides, before the payload is fetched.
    if (a.staging.manifest_verified() && !a.staging.manifest().artifact().platform().empty() &&
        a.staging.manifest().artifact().platform() != plugin::HostPlatform())
      return Fail("the release is signed for " + a.staging.manifest().artifact().platform() + ", this host is " +
                  plugin::HostPlatform());
  }
  while (a.staging.manifest_verified() && !a.pending_blocks.empty()) {
    uint64_t b = a.pending_blocks.front();
    a.pending_blocks.pop_front();
    auto ok = a.staging.VerifyBlock(b);
    if (!ok.ok()) {
      if (ok.error().code() == Errc::kNoSpace) a.staging.Discard();  // a full disk: free it for the next push
      return Fail(ok.error().message());
    }
    if (!*ok) {
      ++counters_.corrupt_blocks;
      // Datagrams are authenticated, so a block that fails again and again
      // was sent that way: the payload does not match what was signed.
      if (++a.block_failures[b] >= 3)
        return Fail("block " + std::to_string(b) + " failed verification 3 times: the payload does not match its "
                    "signed manifest");
      a.rx.ForgetBlock(b);
    }
  }
  SendControl();
  if (a.rx.complete() && a.staging.manifest_verified() && a.pending_blocks.empty() && a.staging.AllBlocksVerified())
    Finish();
}

void TransferHost::SendControl() {
  if (!active_) return;
  for (const wire::Datagram& d : active_->rx.TakeControl()) Send(active_->peer, d);
}

void TransferHost::Finish() {
  Active& a = *active_;
  if (auto ack = a.rx.TakeAck(clock_.NowUs(), true)) Send(a.peer, *ack);
  auto path = a.staging.Finalize(store_dir_);
  if (!path.ok()) {
    a.staging.Discard();  // a complete file that fails its hash is useless
    return Fail(path.error().message());
  }
  if (a.staging.manifest().kind() == package::kKindDeb) return FinishPackage(*path);
  std::string sha_hex = a.staging.sha_hex();
  if (activation_.ShouldStage(a.offer.activation())) {
    Status st = activation_.Stage(*path, a.staging.manifest());
    if (!st.ok()) return Fail("cannot stage: " + st.error().message());
    Report(a.peer, a.offer.transfer(), wire::OUTCOME_STAGED, "", 0);
    active_.reset();
    on_running_changed_();
    return;
  }
  const wire::ArtifactInfo& release = a.staging.manifest().artifact();
  auto v = activation_.Install(*path, sha_hex, release);
  TimeUs reload = clock_.NowUs() - a.last_byte;
  if (!v.ok()) {
    ::unlink(path->c_str());  // never keep a build that failed to load where `current` could find it
    return Fail(v.error().message());
  }
  NXT_CRASH_POINT("client.installed");
  ++counters_.installed;
  log_.Info(kMsgInstalled, "installed " + sha_hex.substr(0, 12) + " (reload " + std::to_string(reload) + " us)",
            {{"NXT_ARTIFACT_SHA256", sha_hex}, {"NXT_RELOAD_US", std::to_string(reload)}});
  Report(a.peer, a.offer.transfer(), wire::OUTCOME_INSTALLED, "", static_cast<uint32_t>(reload));
  active_.reset();
  on_running_changed_();
}

void TransferHost::Fail(const std::string& reason) {
  Active& a = *active_;
  ++counters_.failed;
  log_.Error(kMsgFailed, "release " + a.staging.sha_hex().substr(0, 12) + " refused: " + reason +
                             "; still running the previous plug-in",
             {{"NXT_ARTIFACT_SHA256", a.staging.sha_hex()}, {"NXT_REASON", reason}});
  Report(a.peer, a.offer.transfer(), wire::OUTCOME_FAILED, reason, 0);
  active_.reset();
}

void TransferHost::Report(const net::Address& to, uint64_t transfer, wire::OutcomeStatus status,
                          const std::string& reason, uint32_t reload_us) {
  wire::Datagram d = NewDatagram();
  wire::Outcome* o = d.mutable_outcome();
  o->set_transfer(transfer);
  o->set_status(status);
  o->set_reason(reason.substr(0, 500));
  *o->mutable_running() = plugins_.Running();
  o->set_reload_us(reload_us);
  Send(to, d);
  outcomes_[transfer] = PendingOutcome{d, to, 1, clock_.NowUs() + kOutcomeRetry};
  ArmTimer();
}

void TransferHost::EndOfBatch() {
  if (!active_) return;
  // Not forced: with GRO a batch can hold thousands of datagrams or one, so
  // acks follow the receiver's ack_every/ack_delay policy, not batch edges
  // (an ack costs a syscall that, on loopback, also wakes the server).
  if (auto ack = active_->rx.TakeAck(clock_.NowUs(), false)) Send(active_->peer, *ack);
  ArmTimer();
}

void TransferHost::OnTimer() {
  TimeUs now = clock_.NowUs();
  for (auto it = outcomes_.begin(); it != outcomes_.end();) {
    PendingOutcome& p = it->second;
    if (now >= p.next) {
      if (p.tries >= kOutcomeTries) {
        it = outcomes_.erase(it);
        continue;
      }
      Send(p.peer, p.d);
      ++p.tries;
      p.next = now + kOutcomeRetry;
    }
    ++it;
  }
  if (active_) {
    if (auto ack = active_->rx.TakeAck(now, false)) Send(active_->peer, *ack);
    if (now - active_->last_checkpoint >= kCheckpointEvery) {
      Status st = active_->staging.Checkpoint();
      if (!st.ok()) log_.Warning("cannot checkpoint staging: " + st.error().message());
      active_->last_checkpoint = now;
    }
    if (!CheckLimits(now)) return ArmTimer();
    if (active_->rx.Stalled(now)) {
      (void)active_->staging.Checkpoint();
      log_.Warning("transfer " + active_->staging.sha_hex().substr(0, 12) +
                   " stalled; keeping what arrived for a resume");
      active_.reset();
    }
  }
  ArmTimer();
}

uint64_t TransferHost::StagingBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(staging_dir_, ec))
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  return total;
}

bool TransferHost::CheckLimits(TimeUs now) {
  Active& a = *active_;
  if (now - a.started >= limits_.deadline) {
    Fail("transfer exceeded its deadline of " + std::to_string(limits_.deadline / kUsPerSec) + " s");
    return false;
  }
  if (now - a.window_start >= limits_.rate_window) {
    const transfer::Geometry& g = a.rx.geometry();
    uint64_t chunks = a.rx.held().count() - std::min(a.rx.held().count(), a.window_chunks);
    uint64_t bytes = chunks * g.chunk_size();
    uint64_t rate = bytes * kUsPerSec / std::max<TimeUs>(now - a.window_start, 1);
    if (rate < limits_.min_rate && !a.rx.complete()) {
      (void)a.staging.Checkpoint();  // what did arrive is kept for a later, faster attempt
      Fail("transfer too slow: " + std::to_string(rate) + " B/s over the last " +
           std::to_string((now - a.window_start) / kUsPerSec) + " s (minimum " + std::to_string(limits_.min_rate) +
           " B/s)");
      return false;
    }
    a.window_start = now;
    a.window_chunks = a.rx.held().count();
  }
  return true;
}

void TransferHost::ArmTimer() {
  TimeUs now = clock_.NowUs(), next = kNever;
  for (const auto& [id, p] : outcomes_) next = std::min(next, p.next);
  if (active_)
    next = std::min({next, active_->rx.NextWakeup(), active_->last_checkpoint + kCheckpointEvery,
                     active_->window_start + limits_.rate_window, active_->started + limits_.deadline});
  if (next == kNever) return timer_.Cancel();
  timer_.Arm(next > now ? next - now : 0);
}

std::string TransferHost::Describe() const {
  if (!active_) return "idle";
  const auto& g = active_->rx.geometry();
  return "receiving " + active_->staging.sha_hex().substr(0, 12) + " " +
         std::to_string(active_->rx.held().count() * 100 / std::max<uint64_t>(g.total_chunks(), 1)) + "%";
}

}  // namespace nxt::client
