// A deployment: one artifact pushed to a set of hosts, with each host's
// progress. Watchers (nxtctl push streams) are told on every change and on a
// periodic tick; the deployment is done when every target is terminal.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "artifact/store.h"
#include "nxt/control.pb.h"

namespace nxt::server {

class Deployment {
 public:
  using Watcher = std::function<bool(const control::PushProgress&)>;  // false: stop watching

  // `signed_manifest`: the SignedManifest bytes sent as the transfer's manifest.
  Deployment(uint64_t id, std::shared_ptr<artifact::StoredArtifact> art, std::string signed_manifest,
             wire::Activation activation, const std::vector<std::string>& targets);

  uint64_t id() const { return id_; }
  const std::shared_ptr<artifact::StoredArtifact>& artifact() const { return art_; }
  const std::string& signed_manifest() const { return signed_manifest_; }
  const crypto::Digest& signed_manifest_sha256() const { return signed_sha_; }
  // What the release says it is (product and version as signed).
  const wire::ArtifactInfo& release() const { return release_; }

  // Encrypted to each host's key: the sealed payload replaces the plain one
  // on the wire; each host's Offer carries the content key wrapped to it.
  Status Encrypt(const std::string& content_key, const std::string& sealed_path);
  bool encrypted() const { return sealed_fd_.valid(); }
  const std::string& content_key() const { return content_key_; }
  int payload_fd() const { return encrypted() ? sealed_fd_.get() : art_->fd.get(); }
  uint64_t payload_size() const { return encrypted() ? sealed_size_ : art_->size; }
  uint32_t wire_block_size() const;
  wire::Activation activation() const { return activation_; }
  control::TargetProgress& target(const std::string& id) { return targets_[id]; }
  const std::map<std::string, control::TargetProgress>& targets() const { return targets_; }
  bool done() const;
  size_t failed() const;

  void Watch(Watcher w) { watchers_.push_back(std::move(w)); }
  control::PushProgress Snapshot() const;
  void Notify();

 private:
  uint64_t id_;
  std::shared_ptr<artifact::StoredArtifact> art_;
  std::string signed_manifest_;
  crypto::Digest signed_sha_{};
  wire::ArtifactInfo release_;
  std::string content_key_;
  UniqueFd sealed_fd_;
  uint64_t sealed_size_ = 0;
  wire::Activation activation_;
  std::map<std::string, control::TargetProgress> targets_;
  std::vector<Watcher> watchers_;
};

}  // namespace nxt::server
