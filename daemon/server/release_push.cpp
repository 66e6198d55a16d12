#include "server/release_push.h"

#include <algorithm>
#include <set>

#include "artifact/file_io.h"
#include "plugin/elf.h"

namespace nxt::server {

PlatformPlan PlanByPlatform(const std::vector<TargetPlatform>& targets, const control::Push& push) {
  std::set<std::string> have;
  for (const auto& part : push.parts()) have.insert(part.platform());
  PlatformPlan plan;
  for (const TargetPlatform& t : targets) {
    if (have.count(t.platform)) {
      plan.by_platform[t.platform].push_back(t.client_id);
      continue;
    }
    control::TargetProgress p;
    p.set_client_id(t.client_id);
    p.set_state(control::TARGET_SKIPPED);
    p.set_reason(t.platform.empty() ? "platform unknown (never registered); the release has " + PlatformList(push)
                                    : "no artifact for " + t.platform + "; the release has " + PlatformList(push));
    plan.skipped.push_back(std::move(p));
  }
  return plan;
}

std::string PlatformList(const control::Push& push) {
  std::string out;
  for (const auto& part : push.parts()) out += (out.empty() ? "" : ", ") + part.platform();
  return out;
}

Status CheckParts(const control::Push& push, int fd, uint64_t file_size) {
  if (push.release_name().empty()) return Error(Errc::kInvalidArgument, "a multi-platform release needs a name");
  std::set<std::string> seen;
  for (const auto& part : push.parts()) {
    const std::string what = part.path().empty() ? part.platform() : part.path();
    if (part.platform().empty()) return Error(Errc::kInvalidArgument, what + ": no platform");
    if (!seen.insert(part.platform()).second)
      return Error(Errc::kInvalidArgument, "two artifacts for " + part.platform());
    if (part.size() == 0 || part.offset() > file_size || part.size() > file_size - part.offset())
      return Error(Errc::kInvalidArgument, what + ": part lies outside the passed file");
    // 64 B: an ELF64 header. What is not ELF (a package, say) is not checked here.
    uint8_t head[64];
    const size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof head, part.size()));
    NXT_ASSIGN(size_t got, artifact::detail::PreadFull(fd, std::span(head, want), static_cast<off_t>(part.offset())));
    auto elf = plugin::ParseElfHeader(std::span<const uint8_t>(head, got));
    if (!elf.ok()) continue;
    auto platform = plugin::PlatformOf(*elf);
    if (platform.ok() && *platform != part.platform())
      return Error(Errc::kInvalidArgument, what + " is built for " + *platform + ", not " + part.platform());
  }
  return Ok();
}

bool ReleaseProgress::done() const {
  return std::all_of(deployments_.begin(), deployments_.end(), [](const auto& d) { return d->done(); });
}

control::PushProgress ReleaseProgress::Snapshot() const {
  control::PushProgress p;
  p.set_deployment(deployments_.empty() ? 0 : deployments_.front()->id());
  *p.mutable_artifact() = release_;
  uint64_t size = 0;
  for (const auto& d : deployments_) {
    control::PushProgress part = d->Snapshot();
    size = std::max(size, part.size());
    for (auto& t : *part.mutable_targets()) *p.add_targets() = std::move(t);
  }
  for (const auto& t : skipped_) *p.add_targets() = t;
  std::sort(p.mutable_targets()->begin(), p.mutable_targets()->end(),
            [](const auto& a, const auto& b) { return a.client_id() < b.client_id(); });
  p.set_size(size);
  p.set_done(done());
  return p;
}

std::pair<control::ResultCode, std::string> ReleaseProgress::Verdict() const {
  size_t failed = 0, total = 0;
  for (const auto& d : deployments_) {
    failed += d->failed();
    total += d->targets().size();
  }
  std::string skipped =
      skipped_.empty() ? "" : ", " + std::to_string(skipped_.size()) + " skipped (no artifact for their platform)";
  if (failed) return {control::RESULT_ERROR, std::to_string(failed) + " of " + std::to_string(total) + " hosts failed" + skipped};
  if (total == 0) return {control::RESULT_ERROR, "no target host runs a platform this release has" + skipped};
  return {control::RESULT_OK, "installed on " + std::to_string(total) + " hosts" + skipped};
}

}  // namespace nxt::server
