// nxt-serverd's deployment lifecycle: starting one (each target to the push
// engine, refusing hosts that never registered or are not approved), recording
// each target's outcome (state.db, the registry's last result, history),
// rebuilding a recorded deployment (resume after a restart, catch-up pushes,
// rollout waves) and resuming the unfinished ones at start.
#include <cctype>

#include "artifact/release.h"
#include "crypto/digest.h"
#include "server/server.h"

namespace nxt::server {

void Server::OnTargetChanged(Deployment& dep, const control::TargetProgress& t) {
  Status st = db_.UpdateTarget(dep.id(), t.client_id(), t.state(), t.reason(), clock_.UnixMs());
  if (!st.ok()) log_.Error("cannot record target state: " + st.error().message());
  if (IsTerminal(t.state())) {
    std::string result = control::TargetState_Name(t.state()).substr(7);  // "TARGET_INSTALLED" -> "installed"
    for (char& ch : result) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!t.reason().empty()) result += ": " + t.reason();
    registry_.RecordResult(t.client_id(), result, t.has_running() ? &t.running() : nullptr);
    std::string state = result.substr(0, result.find(':'));
    // A build that failed to load or self-test never replaced the running one:
    // that is the automatic rollback, and history says what kept running.
    std::string detail = t.reason();
    if (t.state() == control::TARGET_FAILED && t.has_running() && !t.running().product().empty())
      detail += "; still running " + t.running().product() + " " + std::to_string(t.running().major()) + "." +
                std::to_string(t.running().minor());
    Record(dep.id(), t.client_id(), dep.activation() == wire::ACTIVATION_LATER ? "stage" : "install", state, detail,
           dep.release());
  }
}

void Server::StartDeployment(const std::shared_ptr<Deployment>& dep) {
  deployments_[dep->id()] = dep;
  for (const auto& [client_id, t] : dep->targets()) {
    const RegisteredClient* c = registry_.Find(client_id);
    std::string refused = !c ? "host has never registered" : !registry_.IsApproved(*c) ? "host is not approved" : "";
    if (!refused.empty()) {
      control::TargetProgress& target = dep->target(client_id);
      target.set_state(control::TARGET_FAILED);
      target.set_reason(refused);
      OnTargetChanged(*dep, target);
      continue;
    }
    engine_->Start(dep, client_id, c->record.key);
  }
  // When every host is done: the next wave of a rollout may start.
  dep->Watch([this, id = dep->id()](const control::PushProgress& p) {
    if (!p.done()) return true;
    loop_->Defer([this, id] { OnDeploymentDone(id); });
    return false;
  });
  dep->Notify();
}

std::string Server::SealedPath(const std::string& sha_hex, uint64_t deployment) const {
  return store_.dir() + "/" + sha_hex + ".sealed-" + std::to_string(deployment);
}

void Server::ResumeUnfinished() {
  auto unfinished = db_.LoadUnfinished();
  if (!unfinished.ok()) {
    log_.Error("cannot load unfinished deployments: " + unfinished.error().message());
    return;
  }
  for (auto& [rec, targets] : *unfinished) {
    std::vector<std::string> ids;
    for (const TargetRecord& t : targets) ids.push_back(t.client_id);
    auto dep = BuildDeployment(rec, ids);
    if (!dep.ok()) {
      log_.Error("cannot resume deployment " + std::to_string(rec.id) + ": " + dep.error().message());
      for (const std::string& id : ids)
        (void)db_.UpdateTarget(rec.id, id, control::TARGET_FAILED, "cannot resume: " + dep.error().message(),
                               clock_.UnixMs());
      continue;
    }
    log_.Info("resuming deployment " + std::to_string(rec.id) + " of " + rec.name + " to " +
              std::to_string(ids.size()) + " hosts");
    StartDeployment(*dep);
  }
}

// A deployment object for a recorded deployment: its artifact from the store,
// the manifest it shipped, and (encrypted) its sealed payload made again.
Result<std::shared_ptr<Deployment>> Server::BuildDeployment(const DeploymentRecord& rec,
                                                            const std::vector<std::string>& ids) {
  NXT_ASSIGN(auto sha, crypto::FromHex(rec.sha256_hex));
  auto art = store_.Open(sha);
  if (!art.ok()) return std::move(art).error().WithContext("artifact lost");
  auto shared = std::make_shared<artifact::StoredArtifact>(std::move(art).value());
  std::string signed_manifest =
      rec.signed_manifest.empty() ? artifact::UnsignedManifest(shared->manifest) : rec.signed_manifest;
  auto dep = std::make_shared<Deployment>(rec.id, shared, std::move(signed_manifest), rec.activation, ids);
  // Sealing is deterministic in the key, so the sealed payload can be made again.
  if (!rec.content_key.empty()) NXT_TRY(dep->Encrypt(rec.content_key, SealedPath(rec.sha256_hex, rec.id)));
  return dep;
}

}  // namespace nxt::server
