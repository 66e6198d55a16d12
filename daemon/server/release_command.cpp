// The control command for a multi-platform release (a Push with parts): store
// every part, sign each one's manifest with its platform in it, start one
// Deployment per platform that has targets, report the others as skipped, and
// stream the merged progress. See release_push.h.
#include <sys/stat.h>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "server/release_push.h"
#include "server/server.h"

namespace nxt::server {
namespace {

control::Response ReleaseReply(control::ResultCode code, std::string text) {
  control::Response r;
  r.set_code(code);
  r.set_text("push: " + std::move(text));
  r.set_final(true);
  return r;
}

}  // namespace

Result<std::vector<TargetPlatform>> Server::ReleaseTargets(const control::Push& push) {
  std::vector<TargetPlatform> targets;
  if (push.to().empty()) {
    for (const RegisteredClient* c : registry_.All())
      if (registry_.IsActive(*c) && registry_.IsApproved(*c)) targets.push_back({c->record.id, c->record.platform});
    if (targets.empty()) return Error(Errc::kNotFound, "no active, approved clients are registered");
    return targets;
  }
  for (const std::string& id : push.to()) {
    const RegisteredClient* c = registry_.Find(id);
    if (!c) return Error(Errc::kNotFound, "unknown client id: " + id);
    targets.push_back({id, c->record.platform});
  }
  return targets;
}

Result<PreparedPart> Server::PrepareReleasePart(const control::Push& push, const control::PlatformArtifact& part,
                                                int fd) {
  wire::ArtifactInfo info;
  info.set_name(push.release_name());
  info.set_platform(part.platform());  // signed: the host checks it against itself and the ELF header
  auto imported = store_.Import(fd, info, clock_.UnixMs() / 1000, part.offset(), part.size());
  if (!imported.ok()) return std::move(imported).error().WithContext("cannot store " + part.path());
  PreparedPart out{std::make_shared<artifact::StoredArtifact>(std::move(imported).value()), ""};
  control::Push signing = push;
  signing.set_signed_manifest(part.signed_manifest());
  signing.set_kind(part.kind());
  if (!part.kind().empty()) {  // a package has its own version (the host reads it); no plug-in version applies
    signing.clear_product();
    signing.clear_major();
    signing.clear_minor();
  }
  auto signed_manifest = ReleaseManifest(signing, *out.art);
  if (!signed_manifest.ok()) return std::move(signed_manifest).error().WithContext(part.path());
  out.signed_manifest = std::move(signed_manifest).value();
  return out;
}

Result<std::shared_ptr<Deployment>> Server::CreateReleaseDeployment(const control::Push& push,
                                                                    const control::PlatformArtifact& part,
                                                                    const PreparedPart& prepared,
                                                                    const std::vector<std::string>& targets) {
  DeploymentRecord rec;
  rec.sha256_hex = crypto::ToHex(prepared.art->sha256);
  rec.name = part.path();
  rec.created_ms = clock_.UnixMs();
  rec.activation = push.activation();
  rec.signed_manifest = prepared.signed_manifest;
  if (push.encrypt()) {
    rec.content_key.resize(32);
    NXT_TRY(crypto::RandomBytes({reinterpret_cast<uint8_t*>(rec.content_key.data()), 32}));
  }
  NXT_ASSIGN(uint64_t id, db_.CreateDeployment(rec, targets));
  auto dep = std::make_shared<Deployment>(id, prepared.art, prepared.signed_manifest, push.activation(), targets);
  if (push.encrypt()) NXT_TRY(dep->Encrypt(rec.content_key, SealedPath(rec.sha256_hex, id)));
  log_.Info("push " + part.path() + " (" + part.platform() + ", " + rec.sha256_hex.substr(0, 12) + ", " +
                std::to_string(prepared.art->size) + " bytes) to " + std::to_string(targets.size()) + " hosts",
            {{"NXT_DEPLOYMENT", std::to_string(id)}, {"NXT_ARTIFACT_SHA256", rec.sha256_hex},
             {"NXT_PLATFORM", part.platform()}});
  return dep;
}

void Server::HandleReleasePush(const control::Push& push, UniqueFd fd, const std::shared_ptr<control::Replier>& r) {
  struct stat st {};
  if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return (void)r->Send(ReleaseReply(control::RESULT_INVALID, "no release file was passed"));
  // Not silently ignored: groups, waves and desired state are per-artifact today.
  if (!push.group().empty() || !push.wave().empty())
    return (void)r->Send(ReleaseReply(control::RESULT_INVALID,
                                      "--group and --wave do not apply to a multi-platform release yet; use --to"));
  if (Status ok = CheckParts(push, fd.get(), static_cast<uint64_t>(st.st_size)); !ok.ok())
    return (void)r->Send(ReleaseReply(control::RESULT_INVALID, ok.error().message()));
  auto targets = ReleaseTargets(push);
  if (!targets.ok())
    return (void)r->Send(ReleaseReply(targets.error().code() == Errc::kNotFound && !push.to().empty()
                                          ? control::RESULT_NOT_FOUND
                                          : control::RESULT_ERROR,
                                      targets.error().message()));
  PlatformPlan plan = PlanByPlatform(*targets, push);
  wire::ArtifactInfo release;
  release.set_name(push.release_name());
  release.set_product(push.product());
  release.set_major(push.major());
  release.set_minor(push.minor());
  release.set_platform(PlatformList(push));
  auto progress = std::make_shared<ReleaseProgress>(release, plan.skipped);
  // Every part is stored and signed before any is sent (a bad part stops the
  // whole release); only parts with targets become deployments.
  std::vector<PreparedPart> prepared;
  for (const auto& part : push.parts()) {
    auto p = PrepareReleasePart(push, part, fd.get());
    if (!p.ok()) return (void)r->Send(ReleaseReply(control::RESULT_INVALID, p.error().message()));
    prepared.push_back(std::move(p).value());
  }
  for (int i = 0; i < push.parts_size(); ++i) {
    const std::vector<std::string>& hosts = plan.by_platform[push.parts(i).platform()];
    if (hosts.empty()) continue;
    auto dep = CreateReleaseDeployment(push, push.parts(i), prepared[static_cast<size_t>(i)], hosts);
    if (!dep.ok()) return (void)r->Send(ReleaseReply(control::RESULT_ERROR, dep.error().message()));
    progress->Add(*dep);
  }
  for (const auto& s : plan.skipped) {
    registry_.RecordResult(s.client_id(), "skipped: " + s.reason(), nullptr);
    log_.Notice("push of " + push.release_name() + " skips " + s.client_id() + ": " + s.reason(),
                {{"NXT_CLIENT", s.client_id()}});
  }
  auto send = [this, progress, replier = r]() {
    if (replier->closed()) return false;
    control::Response resp;
    *resp.mutable_progress() = progress->Snapshot();
    if (progress->TakeFinal()) {
      auto [code, text] = progress->Verdict();
      resp.set_code(code);
      resp.set_text(text);
      resp.set_final(true);
      replier->Send(std::move(resp));
      for (const auto& d : progress->deployments()) deployments_.erase(d->id());
      // Not now: a deployment may be inside its Notify() calling us.
      loop_->Defer([progress] { progress->DropDeployments(); });
      return false;
    }
    if (progress->done()) return false;  // the final reply went out already
    resp.set_final(false);
    replier->Send(std::move(resp));
    return true;
  };
  for (const auto& d : progress->deployments()) d->Watch([send](const control::PushProgress&) { return send(); });
  if (progress->deployments().empty()) return (void)send();
  for (const auto& d : progress->deployments()) StartDeployment(d);
}

}  // namespace nxt::server
