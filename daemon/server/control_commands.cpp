// nxt-serverd's control commands (Kea style: kebab-case noun-verb, a result
// code and one line of text): status-get, clients-list, push, commands-list.
#include <sys/stat.h>

#include <filesystem>

#include "artifact/release.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "plugin/elf.h"
#include "server/server.h"

namespace nxt::server {
namespace {

control::Response Reply(control::ResultCode code, std::string text, bool final = true) {
  control::Response r;
  r.set_code(code);
  r.set_text(std::move(text));
  r.set_final(final);
  return r;
}

// "libfunctional_2_0.so" -> "libfunctional"; the version comes from the plug-in itself.
std::string ArtifactName(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  if (base.size() > 3 && base.ends_with(".so")) base.resize(base.size() - 3);
  while (!base.empty() && (std::isdigit(static_cast<unsigned char>(base.back())) || base.back() == '_')) {
    bool digits_before = base.size() >= 2;
    base.pop_back();
    if (!digits_before) break;
  }
  return base.empty() ? "artifact" : base;
}

}  // namespace

void Server::OnControl(control::Request req, UniqueFd fd, std::shared_ptr<control::Replier> replier) {
  switch (req.command_case()) {
    case control::Request::kStatusGet: return HandleStatus(*replier);
    case control::Request::kClientsList: return HandleClients(*replier);
    case control::Request::kPush: return HandlePush(req.push(), std::move(fd), replier);
    case control::Request::kClientsApprove:
      return HandleEnrollment(req.clients_approve().ids(), wire::ENROLLMENT_APPROVED, *replier);
    case control::Request::kClientsRevoke:
      return HandleEnrollment(req.clients_revoke().ids(), wire::ENROLLMENT_REVOKED, *replier);
    case control::Request::kGroups: return HandleGroups(req.groups(), *replier);
    case control::Request::kQuery: return HandleQuery(req.query(), replier);
    case control::Request::kReconcile: return HandleReconcile(req.reconcile(), *replier);
    case control::Request::kActivate:
    case control::Request::kRollback: return HandleSwap(req, replier);
    case control::Request::kRollout: return HandleRollout(req.rollout(), *replier);
    case control::Request::kHistory: return HandleHistory(req.history(), *replier);
    case control::Request::kCommandsList: {
      control::Response r = Reply(control::RESULT_OK, "");
      for (const char* c : {"status-get", "clients-list", "clients-approve", "clients-revoke", "push", "groups", "query",
                            "reconcile", "activate", "rollback", "rollout", "history", "commands-list"})
        r.mutable_commands()->add_commands(c);
      replier->Send(std::move(r));
      return;
    }
    default:
      replier->Send(Reply(control::RESULT_UNSUPPORTED, "nxt-serverd does not support this command"));
  }
}

void Server::HandleStatus(control::Replier& r) {
  control::Response resp = Reply(control::RESULT_OK, "");
  control::Status* s = resp.mutable_status();
  s->set_daemon("nxt-serverd");
  s->set_version(NXT_VERSION);
  s->set_uptime_ms((clock_.NowUs() - started_) / kUsPerMs);
  for (const auto& ep : endpoints_) s->add_listen(ep->local_address().ToString());
  uint32_t active = 0, expired = 0;
  for (const RegisteredClient* c : registry_.All()) (registry_.IsActive(*c) ? active : expired)++;
  s->set_clients_active(active);
  s->set_clients_expired(expired);
  s->set_transfers_active(static_cast<uint32_t>(engine_->active()));
  s->set_identity(identity_.fingerprint);
  s->set_identity_public(identity_.public_text);
  auto counter = [&](std::string name, uint64_t v) {
    control::Counter* c = s->add_counters();
    c->set_name(std::move(name));
    c->set_value(v);
  };
  counter("datagrams_received", counters_.received);
  counter("dropped_unauthenticated", unauthenticated_);
  counter("dropped_not_approved", not_approved_);
  counter("handshakes", handshakes_);
  counter("sessions", peers_.size());
  for (size_t i = 0; i < wire::kDropReasonCount; ++i)
    counter("dropped_" + std::string(wire::DropReasonName(static_cast<wire::DropReason>(i))), counters_.dropped[i]);
  r.Send(std::move(resp));
}

void Server::HandleEnrollment(const google::protobuf::RepeatedPtrField<std::string>& ids, wire::Enrollment e,
                              control::Replier& r) {
  if (ids.empty()) return (void)r.Send(Reply(control::RESULT_INVALID, "name at least one client id"));
  for (const std::string& id : ids)
    if (!registry_.Find(id)) return (void)r.Send(Reply(control::RESULT_NOT_FOUND, "unknown client id: " + id));
  const char* verb = e == wire::ENROLLMENT_APPROVED ? "approved" : "revoked";
  for (const std::string& id : ids) {
    Status st = registry_.SetEnrollment(id, e);
    if (!st.ok()) return (void)r.Send(Reply(control::RESULT_ERROR, st.error().message()));
    if (e == wire::ENROLLMENT_REVOKED) {
      engine_->Abort(id, "host revoked");
      peers_.Forget(id);  // its sessions end now; it must handshake again and stays revoked
    }
    log_.Notice(std::string("client ") + id + " " + verb + " by the operator", {{"NXT_CLIENT", id}});
  }
  control::Response resp = Reply(control::RESULT_OK, std::to_string(ids.size()) + (ids.size() == 1 ? " client " : " clients ") + verb);
  for (const std::string& id : ids) *resp.mutable_clients()->add_clients() = DescribeClient(*registry_.Find(id));
  r.Send(std::move(resp));
  if (e == wire::ENROLLMENT_APPROVED)
    for (const std::string& id : ids) CatchUp(id, "approval");
}

// The manifest the hosts verify. A bundle brings its own (signed off the
// server): it must describe exactly the payload that came with it. A plain
// file gets the version nxtctl read from it, signed with the server's
// publisher key when it has one.
Result<std::string> Server::ReleaseManifest(const control::Push& push, const artifact::StoredArtifact& art) {
  if (!push.signed_manifest().empty()) {
    NXT_ASSIGN(wire::Manifest m, artifact::PeekSignedManifest(crypto::AsBytes(push.signed_manifest())));
    bool same = m.artifact().sha256() == crypto::DigestToBytes(art.sha256) && m.size() == art.size &&
                m.block_size() == art.manifest.block_size() &&
                m.block_sha256_size() == art.manifest.block_sha256_size();
    for (int i = 0; same && i < m.block_sha256_size(); ++i) same = m.block_sha256(i) == art.manifest.block_sha256(i);
    if (!same) return Error(Errc::kCorrupt, "the bundle's signed manifest does not describe its payload");
    return push.signed_manifest();
  }
  wire::Manifest m = art.manifest;
  wire::ArtifactInfo* a = m.mutable_artifact();
  a->set_product(push.product());
  a->set_major(push.major());
  a->set_minor(push.minor());
  m.set_downgrade(push.downgrade());
  if (!push.kind().empty()) m.set_kind(push.kind());  // "deb": the host installs it with dpkg
  m.set_created_unix_s(clock_.UnixMs() / 1000);
  if (push.expires_days()) m.set_expires_unix_s(clock_.UnixMs() / 1000 + uint64_t{push.expires_days()} * 86400);
  if (!publisher_) return artifact::UnsignedManifest(m);
  return artifact::SignManifest(m, *publisher_);
}

void Server::HandleClients(control::Replier& r) {
  control::Response resp = Reply(control::RESULT_OK, "");
  for (const RegisteredClient* c : registry_.All()) *resp.mutable_clients()->add_clients() = DescribeClient(*c);
  r.Send(std::move(resp));
}

void Server::HandlePush(const control::Push& push, UniqueFd fd, const std::shared_ptr<control::Replier>& r) {
  if (push.parts_size() > 0) return HandleReleasePush(push, std::move(fd), r);
  if (!fd.valid()) return (void)r->Send(Reply(control::RESULT_INVALID, "push: no file descriptor was passed"));
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return (void)r->Send(Reply(control::RESULT_INVALID, "push: " + push.path() + " is not a regular file"));
  std::vector<std::string> targets;
  if (push.to().empty() && push.group().empty()) {
    for (const RegisteredClient* c : registry_.All())
      if (registry_.IsActive(*c) && registry_.IsApproved(*c)) targets.push_back(c->record.id);
    if (targets.empty())
      return (void)r->Send(Reply(control::RESULT_ERROR, "push: no active, approved clients are registered"));
  } else {
    auto resolved = ResolveTargets(push.to(), push.group(), false);
    if (!resolved.ok())
      return (void)r->Send(Reply(resolved.error().code() == Errc::kNotFound ? control::RESULT_NOT_FOUND
                                                                            : control::RESULT_INVALID,
                                 "push: " + resolved.error().message()));
    targets = std::move(resolved).value();
  }
  wire::ArtifactInfo info;
  info.set_name(ArtifactName(push.path()));
  auto platform = plugin::PlatformOf("/proc/self/fd/" + std::to_string(fd.get()));
  if (platform.ok() && push.signed_manifest().empty()) info.set_platform(*platform);
  if (!push.platform().empty() && push.signed_manifest().empty()) info.set_platform(push.platform());  // a .deb
  auto imported = store_.Import(fd.get(), info, clock_.UnixMs() / 1000, push.payload_offset());
  if (!imported.ok())
    return (void)r->Send(Reply(control::RESULT_ERROR, "push: cannot store " + push.path() + ": " +
                                                          imported.error().message()));
  auto art = std::make_shared<artifact::StoredArtifact>(std::move(imported).value());
  auto signed_manifest = ReleaseManifest(push, *art);
  if (!signed_manifest.ok())
    return (void)r->Send(Reply(control::RESULT_INVALID, "push: " + signed_manifest.error().message()));
  DeploymentRecord rec;
  rec.sha256_hex = crypto::ToHex(art->sha256);
  rec.name = push.path();
  rec.created_ms = clock_.UnixMs();
  rec.activation = push.activation();
  rec.signed_manifest = *signed_manifest;
  if (push.encrypt()) {
    rec.content_key.resize(32);
    Status rnd = crypto::RandomBytes({reinterpret_cast<uint8_t*>(rec.content_key.data()), 32});
    if (!rnd.ok()) return (void)r->Send(Reply(control::RESULT_ERROR, "push: " + rnd.error().message()));
  }
  if (!push.wave().empty()) return StartRollout(push, targets, std::move(rec), art, r);
  auto id = db_.CreateDeployment(rec, targets);
  if (!id.ok()) return (void)r->Send(Reply(control::RESULT_ERROR, "push: " + id.error().message()));
  // The release becomes what these hosts should run: a host that registers
  // or comes back behind it gets it pushed (fleet.cpp, CatchUp).
  if (Status desired = RecordDesired(push, targets, *id); !desired.ok())
    log_.Error("cannot record the desired release: " + desired.error().message());
  auto dep = std::make_shared<Deployment>(*id, art, *signed_manifest, push.activation(), targets);
  if (push.encrypt()) {
    Status sealed = dep->Encrypt(rec.content_key, SealedPath(rec.sha256_hex, *id));
    if (!sealed.ok())
      return (void)r->Send(Reply(control::RESULT_ERROR, "push: cannot encrypt: " + sealed.error().message()));
  }
  log_.Info(sys::MessageId("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b12"), "push " + push.path() + " (" + rec.sha256_hex.substr(0, 12) + ", " +
                                   std::to_string(art->size) + " bytes) to " + std::to_string(targets.size()) + " hosts",
            {{"NXT_DEPLOYMENT", std::to_string(*id)}, {"NXT_ARTIFACT_SHA256", rec.sha256_hex}});
  Record(*id, "", "push", std::to_string(targets.size()) + (targets.size() == 1 ? " host" : " hosts"),
         push.path() + (push.group().empty() ? "" : " to group " + push.group()) +
             (push.activation() == wire::ACTIVATION_LATER ? ", activate later" : ""),
         dep->release());
  // The watcher keeps the replier alive until the deployment is done or
  // nxtctl goes away; a deployment goes on without its watcher either way.
  dep->Watch([this, replier = r, id = *id](const control::PushProgress& p) {
    if (replier->closed()) return false;
    control::Response resp;
    *resp.mutable_progress() = p;
    if (!p.done()) {
      resp.set_final(false);
      replier->Send(std::move(resp));
      return true;
    }
    size_t failed = 0;
    for (const auto& t : p.targets())
      failed += t.state() == control::TARGET_FAILED || t.state() == control::TARGET_DECLINED;
    resp.set_final(true);
    resp.set_code(failed ? control::RESULT_ERROR : control::RESULT_OK);
    resp.set_text(failed ? std::to_string(failed) + " of " + std::to_string(p.targets_size()) + " hosts failed"
                         : "installed on " + std::to_string(p.targets_size()) + " hosts");
    replier->Send(std::move(resp));
    deployments_.erase(id);
    return false;
  });
  StartDeployment(dep);
}

}  // namespace nxt::server
