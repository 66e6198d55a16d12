#include "server/deployment.h"

#include <algorithm>

#include "artifact/release.h"
#include "artifact/sealed_payload.h"
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

Status Deployment::Encrypt(const std::string& content_key, const std::string& sealed_path) {
  NXT_ASSIGN(crypto::AeadKey key, crypto::AeadKey::Create(crypto::AsBytes(content_key)));
  NXT_ASSIGN(sealed_fd_, artifact::WriteSealedPayload(art_->fd.get(), art_->size, art_->manifest.block_size(), key,
                                                      art_->sha256, sealed_path));
  content_key_ = content_key;
  sealed_size_ = artifact::SealedSize(art_->size, art_->manifest.block_size());
  return Ok();
}

uint32_t Deployment::wire_block_size() const {
  return art_->manifest.block_size() + (encrypted() ? artifact::kSealedBlockOverhead : 0);
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
