// ActivationHost: when a verified release runs, and the way back.
//
// Owns the staged release (downloaded and verified, not yet running:
// state_dir/staged.release, a stripped Manifest naming store/<sha>.so, written
// atomically so it survives a restart or kill -9 of the daemon), the
// activation policy (activation_policy.h) with its maintenance-window timer,
// and the host's answers to the server's live requests: Query, Activate and
// Rollback each get a Report (idempotent per request id, since the server
// resends until it hears back). Activating or rolling back goes through the
// PluginHost, which never leaves a bad build running.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/clock.h"
#include "client/activation_policy.h"
#include "client/package_host.h"
#include "client/plugin_host.h"
#include "client/rollback_floor.h"
#include "nxt/wire.pb.h"
#include "sys/event_loop.h"
#include "sys/log.h"

namespace nxt::client {

class ActivationHost {
 public:
  // `on_running_changed`: what runs or is staged changed; tell the server.
  ActivationHost(sys::EventLoop& loop, const Clock& clock, sys::Logger& log, std::string state_dir,
                 PluginHost& plugins, RollbackFloor& floor, std::function<void()> on_running_changed);

  void Start(ActivationPolicy policy);  // loads the staged release; arms the window
  void set_policy(ActivationPolicy policy);
  const ActivationPolicy& policy() const { return policy_; }

  // A verified release is in the store: stage it (true) or activate it now (false)?
  bool ShouldStage(wire::Activation requested) const;
  // Where a staged Debian package release (manifest kind "deb") is installed on activation.
  void set_packages(PackageHost* packages) { packages_ = packages; }
  // Keeps `path` (store/<sha>.so) staged; a window policy may activate it at once.
  Status Stage(const std::string& path, const wire::Manifest& manifest);
  // Loads `path` and makes it current; records the anti-rollback floor.
  Result<plugin::PluginVersion> Install(const std::string& path, const std::string& sha_hex,
                                        const wire::ArtifactInfo& release);
  // Operator or window: the staged release becomes current. Returns what happened.
  Result<std::string> ActivateStaged(const std::string& why);
  Result<std::string> Rollback(const std::string& why);

  // Query, Activate, Rollback from the server: the Report to send back, or nullopt.
  std::optional<wire::Datagram> OnRequest(const wire::Datagram& d);

  // Activates the staged release if the window is open now, else re-arms the
  // timer (public so tests drive it with a FakeClock instead of waiting).
  void CheckWindow();

  wire::ArtifactInfo staged() const;  // empty when nothing is staged
  const std::string& last() const { return last_; }  // last activation/rollback, one line

 private:
  void ArmWindow();
  void ClearStaged();
  Result<std::string> ActivateStagedPackage(const wire::Manifest& m, const std::string& sha, const std::string& why);
  wire::Datagram MakeReport(uint64_t request, bool ok, const std::string& result) const;
  void Changed();

  sys::EventLoop& loop_;
  const Clock& clock_;
  sys::Logger& log_;
  std::string state_dir_, staged_path_;
  PluginHost& plugins_;
  PackageHost* packages_ = nullptr;
  RollbackFloor& floor_;
  std::function<void()> on_running_changed_;
  ActivationPolicy policy_;
  std::optional<wire::Manifest> staged_;  // artifact (with sha256) and downgrade; no block hashes
  sys::Timer window_timer_;
  std::string last_;
  bool answering_ = false;  // acting for the server: the Report tells it, no Hello needed
  uint64_t last_request_ = 0;             // the server resends: answer a repeat with the same Report
  std::optional<wire::Datagram> last_report_;
};

}  // namespace nxt::client
