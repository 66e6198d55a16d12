// A release with one artifact per platform, pushed as one operation
// (control::Push.parts, `nxtctl push --release NAME:VERSION a.so@linux-amd64-gnu
// b.so@linux-arm64-gnu`). Each target gets the part built for the platform it
// registered with, as an ordinary Deployment of that part (so resume, restart
// recovery and encryption work unchanged); a target whose platform has no
// part is reported TARGET_SKIPPED with the reason, never offered a build it
// would have to refuse. ReleaseProgress merges the deployments into the one
// progress stream nxtctl follows. Pure logic apart from reading part headers.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "nxt/control.pb.h"
#include "server/deployment.h"

namespace nxt::server {

struct TargetPlatform {
  std::string client_id;
  std::string platform;  // as the host reported it in its Hello; empty if never registered
};

// One part, stored and signed (its manifest names its platform), not yet sent.
struct PreparedPart {
  std::shared_ptr<artifact::StoredArtifact> art;
  std::string signed_manifest;
};

// Which part each target gets. by_platform holds only platforms with a part.
struct PlatformPlan {
  std::map<std::string, std::vector<std::string>> by_platform;
  std::vector<control::TargetProgress> skipped;  // TARGET_SKIPPED, reason says why
};

PlatformPlan PlanByPlatform(const std::vector<TargetPlatform>& targets, const control::Push& push);

// Refuses a malformed release before anything is stored: no parts name, an
// empty or repeated platform, a part outside the passed file (`file_size`
// bytes), or an ELF part whose header says another platform than declared.
Status CheckParts(const control::Push& push, int fd, uint64_t file_size);

// "linux-amd64-gnu, linux-arm64-gnu"
std::string PlatformList(const control::Push& push);

class ReleaseProgress {
 public:
  ReleaseProgress(wire::ArtifactInfo release, std::vector<control::TargetProgress> skipped)
      : release_(std::move(release)), skipped_(std::move(skipped)) {}

  void Add(std::shared_ptr<Deployment> d) { deployments_.push_back(std::move(d)); }
  const std::vector<std::shared_ptr<Deployment>>& deployments() const { return deployments_; }
  bool done() const;
  control::PushProgress Snapshot() const;
  // The final reply's code and text: failures fail the push; skipped hosts
  // are listed, not failed (the release simply has nothing for them).
  std::pair<control::ResultCode, std::string> Verdict() const;
  // Once: true the first time it is called after done().
  bool TakeFinal() { return done() && !final_sent_ && (final_sent_ = true); }
  // After the final reply: the deployments' watchers hold this object, so
  // holding the deployments too would be a cycle that outlives the push.
  void DropDeployments() { deployments_.clear(); }

 private:
  wire::ArtifactInfo release_;
  std::vector<control::TargetProgress> skipped_;
  std::vector<std::shared_ptr<Deployment>> deployments_;
  bool final_sent_ = false;
};

}  // namespace nxt::server
