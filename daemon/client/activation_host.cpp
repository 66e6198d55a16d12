#include "client/activation_host.h"

#include <unistd.h>

#include <algorithm>

#include "crypto/digest.h"
#include "sys/atomic_file.h"

namespace nxt::client {
namespace {
constexpr sys::MessageId kMsgStaged("7c1e5a3b9d2f4e60a8b7c6d5e4f3a240");
constexpr sys::MessageId kMsgActivated("7c1e5a3b9d2f4e60a8b7c6d5e4f3a241");
constexpr sys::MessageId kMsgRolledBack("7c1e5a3b9d2f4e60a8b7c6d5e4f3a242");
// The window timer re-checks at least this often (ms), so a changed time
// zone or a clock step is noticed within a minute.
constexpr uint64_t kMaxWindowWaitMs = 60'000;

std::string Describe(const wire::ArtifactInfo& a) {
  std::string v = a.product().empty() ? a.name() : a.product();
  return v + " " + std::to_string(a.major()) + "." + std::to_string(a.minor());
}

std::string ShaHex(const wire::ArtifactInfo& a) {
  auto d = crypto::DigestFromBytes(a.sha256());
  return d.ok() ? crypto::ToHex(*d) : "";
}
}  // namespace

ActivationHost::ActivationHost(sys::EventLoop& loop, const Clock& clock, sys::Logger& log, std::string state_dir,
                               PluginHost& plugins, RollbackFloor& floor, std::function<void()> on_running_changed)
    : loop_(loop), clock_(clock), log_(log), state_dir_(std::move(state_dir)),
      staged_path_(state_dir_ + "/staged.release"), plugins_(plugins), floor_(floor),
      on_running_changed_(std::move(on_running_changed)), window_timer_(loop, [this] { CheckWindow(); }) {}

void ActivationHost::Start(ActivationPolicy policy) {
  policy_ = policy;
  if (auto text = sys::ReadFile(staged_path_, 1 << 16); text.ok()) {
    wire::Manifest m;
    std::string sha = m.ParseFromString(*text) ? ShaHex(m.artifact()) : "";
    if (!sha.empty() && ::access((state_dir_ + "/store/" + sha + ".so").c_str(), R_OK) == 0) {
      staged_ = m;
      log_.Info("release " + Describe(m.artifact()) + " (" + sha.substr(0, 12) + ") is staged; activation: " +
                    policy_.ToString(),
                {{"NXT_ARTIFACT_SHA256", sha}});
    } else {
      log_.Warning("forgetting the staged release: its file is gone from the store");
      ::unlink(staged_path_.c_str());
    }
  }
  ArmWindow();
}

void ActivationHost::set_policy(ActivationPolicy policy) {
  policy_ = policy;
  ArmWindow();
}

bool ActivationHost::ShouldStage(wire::Activation requested) const {
  return requested == wire::ACTIVATION_LATER || policy_.stages_everything();
}

Status ActivationHost::Stage(const std::string& path, const wire::Manifest& manifest) {
  wire::Manifest m = manifest;
  m.clear_block_sha256();
  std::string sha = ShaHex(m.artifact());
  if (path != state_dir_ + "/store/" + sha + ".so") return Error(Errc::kInvalidArgument, "staged file is not " + sha);
  // The record is written last: it only ever names a complete, verified file.
  NXT_TRY(sys::WriteFileAtomic(staged_path_, std::string_view(m.SerializeAsString()), 0644));
  staged_ = m;
  log_.Info(kMsgStaged, "staged " + Describe(m.artifact()) + " (" + sha.substr(0, 12) + ") for activation: " +
                            policy_.ToString(),
            {{"NXT_ARTIFACT_SHA256", sha}, {"NXT_ACTIVATION", policy_.ToString()}});
  ArmWindow();
  return Ok();
}

Result<plugin::PluginVersion> ActivationHost::Install(const std::string& path, const std::string& sha_hex,
                                                      const wire::ArtifactInfo& release) {
  NXT_ASSIGN(plugin::PluginVersion v, plugins_.Activate(path, sha_hex, &release));
  if (Status st = floor_.Record({v.major, v.minor}); !st.ok())
    log_.Warning("cannot record the anti-rollback floor: " + st.error().message());
  // A staged release older than what now runs would only be a downgrade later.
  if (staged_ && ShaHex(staged_->artifact()) == sha_hex) ClearStaged();
  return v;
}

Result<std::string> ActivationHost::ActivateStaged(const std::string& why) {
  if (!staged_) return Error(Errc::kNotFound, "nothing is staged");
  wire::Manifest m = *staged_;
  std::string sha = ShaHex(m.artifact());
  // Checked again: the floor may have risen since it was staged.
  if (!m.artifact().product().empty())
    if (Status st = floor_.Check({m.artifact().major(), m.artifact().minor()}, m.downgrade()); !st.ok()) {
      ClearStaged();
      return st.error();
    }
  if (m.kind() == package::kKindDeb) return ActivateStagedPackage(m, sha, why);
  auto v = Install(state_dir_ + "/store/" + sha + ".so", sha, m.artifact());
  if (!v.ok()) {
    // Like a failed push: the old version keeps running, the bad build is dropped.
    ClearStaged();
    last_ = "activation of " + Describe(m.artifact()) + " failed (" + why + "): " + v.error().message();
    log_.Error(kMsgActivated, last_ + "; still running " + Describe(plugins_.Running()),
               {{"NXT_ARTIFACT_SHA256", sha}, {"NXT_REASON", v.error().message()}});
    Changed();
    return v.error();
  }
  ClearStaged();
  last_ = "activated " + Describe(m.artifact()) + " (" + why + ")";
  log_.Info(kMsgActivated, last_, {{"NXT_ARTIFACT_SHA256", sha}});
  Changed();
  return last_;
}

// A staged .deb: dry run, dpkg -i, automatic rollback (PackageHost); the plug-in is untouched.
Result<std::string> ActivationHost::ActivateStagedPackage(const wire::Manifest& m, const std::string& sha,
                                                          const std::string& why) {
  ClearStaged();
  auto out = packages_ ? packages_->Install(state_dir_ + "/store/" + sha + ".so")
                       : Result<package::InstallOutcome>(Error(Errc::kUnsupported, "this host takes no packages"));
  last_ = out.ok() ? "activated package " + DescribeInstall(*out) + " (" + why + ")"
                   : "activation of " + Describe(m.artifact()) + " failed (" + why + "): " + out.error().message();
  if (out.ok()) log_.Info(kMsgActivated, last_, {{"NXT_ARTIFACT_SHA256", sha}});
  else log_.Error(kMsgActivated, last_, {{"NXT_ARTIFACT_SHA256", sha}, {"NXT_REASON", out.error().message()}});
  Changed();
  if (!out.ok()) return out.error();
  return last_;
}

Result<std::string> ActivationHost::Rollback(const std::string& why) {
  wire::ArtifactInfo from = plugins_.Running();
  auto v = plugins_.Rollback();
  if (!v.ok()) {
    last_ = "rollback failed (" + why + "): " + v.error().message();
    log_.Error(kMsgRolledBack, last_);
    return v.error();
  }
  last_ = "rolled back from " + Describe(from) + " to " + Describe(plugins_.Running()) + " (" + why + ")";
  log_.Notice(kMsgRolledBack, last_, {{"NXT_ARTIFACT_SHA256", ShaHex(plugins_.Running())}});
  Changed();
  return last_;
}

void ActivationHost::Changed() {
  if (!answering_) on_running_changed_();
}

void ActivationHost::ClearStaged() {
  staged_.reset();
  ::unlink(staged_path_.c_str());
  window_timer_.Cancel();
}

wire::ArtifactInfo ActivationHost::staged() const { return staged_ ? staged_->artifact() : wire::ArtifactInfo{}; }

void ActivationHost::ArmWindow() {
  window_timer_.Cancel();
  if (!staged_ || policy_.kind != ActivationPolicy::Kind::kWindow) return;
  uint64_t wait = policy_.MsUntilOpen(LocalMsOfDay(clock_.UnixMs()));
  window_timer_.Arm(std::min(wait, kMaxWindowWaitMs) * kUsPerMs);
}

void ActivationHost::CheckWindow() {
  if (staged_ && policy_.InWindow(LocalMsOfDay(clock_.UnixMs()))) {
    (void)ActivateStaged("maintenance window " + policy_.ToString().substr(7));
    return;
  }
  ArmWindow();
}

wire::Datagram ActivationHost::MakeReport(uint64_t request, bool ok, const std::string& result) const {
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  wire::Report* r = d.mutable_report();
  r->set_query(request);
  *r->mutable_running() = plugins_.Running();
  *r->mutable_staged() = staged();
  *r->mutable_previous() = plugins_.Previous();
  r->set_plugin_loaded_unix_ms(plugins_.loaded_at_unix_ms());
  uint64_t now = clock_.UnixMs(), loaded = plugins_.loaded_at_unix_ms();
  r->set_plugin_uptime_ms(loaded && now > loaded ? now - loaded : 0);
  r->set_result(result.substr(0, 500));
  r->set_ok(ok);
  return d;
}

std::optional<wire::Datagram> ActivationHost::OnRequest(const wire::Datagram& d) {
  uint64_t id = 0;
  switch (d.body_case()) {
    case wire::Datagram::kQuery: return MakeReport(d.query().query(), true, "");
    case wire::Datagram::kActivate: id = d.activate().request(); break;
    case wire::Datagram::kRollback: id = d.rollback().request(); break;
    default: return std::nullopt;
  }
  // A resent request (our Report was lost) must not activate or roll back twice.
  if (id == last_request_ && last_report_) return last_report_;
  answering_ = true;
  auto done = d.has_activate() ? ActivateStaged("requested by the server") : Rollback("requested by the server");
  answering_ = false;
  last_request_ = id;
  last_report_ = MakeReport(id, done.ok(), done.ok() ? *done : done.error().message());
  return last_report_;
}

}  // namespace nxt::client
