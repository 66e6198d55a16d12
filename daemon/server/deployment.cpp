#include "server/deployment.h"

#include <algorithm>

#include "artifact/release.h"
#include "crypto/sha256.h"
#include "server/state_db.h"

namespace nxt::server {

Deployment::Deployment(uint64_t id, std::shared_ptr<artifact::StoredArtifact> art, std::string signed_manifest,
                       wire::Activation activation, const std::vector<std::string>& targets)
    : id_(id), art_(std::move(art)), signed_manifest_(std::move(signed_manifest)),
      signed_sha_(crypto::Sha256Of(signed_manifest_)), activation_(activation) {
  auto m = artifact::PeekSignedManifest(crypto::AsBytes(signed_manifest_));
  release_ = m.ok() ? m->artifact() : art_->manifest.artifact();
  for (const std::string& t : targets) {
    control::TargetProgress& p = targets_[t];
    p.set_client_id(t);
    p.set_state(control::TARGET_PENDING);
    p.set_bytes_total(art_->size);
  }
}

bool Deployment::done() const {
  return std::all_of(targets_.begin(), targets_.end(), [](const auto& kv) { return IsTerminal(kv.second.state()); });
}

size_t Deployment::failed() const {
  return static_cast<size_t>(std::count_if(targets_.begin(), targets_.end(), [](const auto& kv) {
    return kv.second.state() == control::TARGET_FAILED || kv.second.state() == control::TARGET_DECLINED;
  }));
}

control::PushProgress Deployment::Snapshot() const {
  control::PushProgress p;
  p.set_deployment(id_);
  *p.mutable_artifact() = release_;
  p.set_size(art_->size);
  for (const auto& [id, t] : targets_) *p.add_targets() = t;
  p.set_done(done());
  return p;
}

void Deployment::Notify() {
  if (watchers_.empty()) return;
  control::PushProgress snap = Snapshot();
  std::erase_if(watchers_, [&](Watcher& w) { return !w(snap); });
}

}  // namespace nxt::server
