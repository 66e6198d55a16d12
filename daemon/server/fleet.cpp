// nxt-serverd's fleet management: desired state (what each host should run),
// push-latest on registration, groups, live query/activate/rollback through
// HostRequests, reconcile, and the history of it all in FleetDb.
#include "artifact/release.h"
#include "crypto/digest.h"
#include "server/server.h"

namespace nxt::server {
namespace {
constexpr sys::MessageId kMsgCatchUp("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b20");
constexpr TimeUs kDefaultAskTimeout = 3 * kUsPerSec;

control::Response Reply(control::ResultCode code, std::string text) {
  return control::MakeResponse(code, std::move(text));
}

control::ResultCode CodeFor(const Error& e) {
  switch (e.code()) {
    case Errc::kNotFound: return control::RESULT_NOT_FOUND;
    case Errc::kInvalidArgument: return control::RESULT_INVALID;
    default: return control::RESULT_ERROR;
  }
}

std::string Version(const wire::ArtifactInfo& a) {
  if (a.product().empty()) return a.name().empty() ? "-" : a.name();
  return a.product() + " " + std::to_string(a.major()) + "." + std::to_string(a.minor());
}

TimeUs AskTimeout(uint32_t ms) { return ms ? TimeUs{ms} * kUsPerMs : kDefaultAskTimeout; }

// "2 current, 1 behind, 1 unreachable": the non-zero counts in a fixed order.
std::string Tally(const control::FleetReport& report) {
  static constexpr const char* kOrder[] = {"current", "staged", "behind", "held", "unreachable"};
  std::string out;
  for (const char* s : kOrder) {
    size_t n = 0;
    for (const auto& h : report.hosts()) n += h.sync() == s;
    if (n) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + s;
  }
  size_t none = 0;
  for (const auto& h : report.hosts()) none += h.sync().empty();
  if (none) out += (out.empty() ? "" : ", ") + std::to_string(none) + " without a desired release";
  return out;
}
}  // namespace

const Server::Release* Server::FindRelease(uint64_t deployment) {
  if (deployment == 0) return nullptr;
  if (auto it = releases_.find(deployment); it != releases_.end()) return &it->second;
  auto rec = db_.LoadDeployment(deployment);
  if (!rec.ok()) return nullptr;
  Release r{std::move(rec).value(), {}};
  if (auto m = artifact::PeekSignedManifest(crypto::AsBytes(r.rec.signed_manifest)); m.ok()) r.info = m->artifact();
  if (r.info.sha256().empty())
    if (auto sha = crypto::FromHex(r.rec.sha256_hex); sha.ok()) r.info.set_sha256(crypto::DigestToBytes(*sha));
  return &releases_.emplace(deployment, std::move(r)).first->second;
}

Sync Server::SyncOf(const RegisteredClient& c, const wire::ArtifactInfo& running, const wire::ArtifactInfo& staged,
                    const Release** release) {
  const DesiredEntry* entry = desired_.For(c.record.id);
  const Release* rel = entry ? FindRelease(entry->deployment) : nullptr;
  if (release) *release = rel;
  return CompareToDesired(entry, rel ? rel->info.sha256() : "", running, staged);
}

control::ClientInfo Server::DescribeClient(const RegisteredClient& c) {
  control::ClientInfo info = registry_.Describe(c);
  const Release* rel = nullptr;
  Sync sync = SyncOf(c, c.record.running, c.record.staged, &rel);
  info.set_sync(SyncName(sync));
  if (rel) *info.mutable_desired() = rel->info;
  for (const std::string& g : desired_.GroupsOf(c.record.id)) info.add_groups(g);
  return info;
}

void Server::Record(uint64_t deployment, const std::string& client, std::string action, std::string result,
                    std::string detail, const wire::ArtifactInfo& artifact) {
  control::HistoryEntry e;
  e.set_at_unix_ms(clock_.UnixMs());
  e.set_deployment(deployment);
  e.set_client_id(client);
  e.set_action(std::move(action));
  e.set_result(std::move(result));
  e.set_detail(std::move(detail));
  *e.mutable_artifact() = artifact;
  Status st = fleet_db_.AddHistory(e);
  if (!st.ok()) log_.Error("cannot record history: " + st.error().message());
}

Status Server::RecordDesired(const control::Push& push, const std::vector<std::string>& targets, uint64_t deployment) {
  uint64_t now = clock_.UnixMs();
  if (!push.group().empty()) return desired_.Set(GroupScope(push.group()), deployment, now);
  if (push.to().empty()) return desired_.Set(kAllHosts, deployment, now);
  for (const std::string& id : targets) NXT_TRY(desired_.Set(HostScope(id), deployment, now));
  return Ok();
}

void Server::OnHelloFleet(const wire::Hello& hello, const HelloResult& result) {
  const std::string& id = hello.client_id();
  bool first_since_start = seen_.insert(id).second;
  // The host changed what it runs without a push from us: activated a staged
  // release (window, local nxtctl), or fell back to `previous` at start.
  if (!result.first_time && result.running_changed && !engine_->HasJob(id)) {
    bool fell_back = hello.running_source() == "previous";
    Record(0, id, fell_back ? "auto-rollback" : "changed", "running " + Version(hello.running()),
           fell_back ? "current failed to load at start; running previous"
                     : "was " + Version(result.was_running),
           hello.running());
  }
  if (result.enrollment != wire::ENROLLMENT_APPROVED) return;
  if (result.first_time || result.new_instance || result.returned || first_since_start)
    CatchUp(id, result.first_time ? "registration" : result.new_instance ? "restart" : "return");
}

// Push-latest on registration: a host that (re)appears behind its desired
// release gets it, unless it is already being pushed something or that very
// release failed there before (reconcile retries those on purpose).
void Server::CatchUp(const std::string& host, const std::string& origin) {
  const RegisteredClient* c = registry_.Find(host);
  if (!c || !registry_.IsApproved(*c) || engine_->HasJob(host)) return;
  const Release* rel = nullptr;
  if (SyncOf(*c, c->record.running, c->record.staged, &rel) != Sync::kBehind || !rel) return;
  if (auto failed = fleet_db_.FailedLastTime(host, rel->rec.sha256_hex); !failed.ok() || *failed) return;
  auto dep = Relaunch(rel->rec.id, {host}, "catch-up on " + origin);
  if (!dep.ok()) {
    log_.Error("cannot bring " + host + " to its desired release: " + dep.error().message(), {{"NXT_CLIENT", host}});
    return;
  }
  log_.Info(kMsgCatchUp, "client " + host + " is behind (" + Version(c->record.running) + ", desired " +
                             Version(rel->info) + "): pushing it on " + origin,
            {{"NXT_CLIENT", host}, {"NXT_DEPLOYMENT", std::to_string((*dep)->id())}});
}

// A new deployment of an earlier one's release (same bytes, manifest, key).
Result<std::shared_ptr<Deployment>> Server::Relaunch(uint64_t base, const std::vector<std::string>& hosts,
                                                     const std::string& origin) {
  NXT_ASSIGN(DeploymentRecord rec, db_.LoadDeployment(base));
  rec.created_ms = clock_.UnixMs();
  NXT_ASSIGN(rec.id, db_.CreateDeployment(rec, hosts));
  auto dep = BuildDeployment(rec, hosts);
  if (!dep.ok()) {
    for (const std::string& h : hosts)
      (void)db_.UpdateTarget(rec.id, h, control::TARGET_FAILED, dep.error().message(), clock_.UnixMs());
    return dep.error();
  }
  Record(rec.id, "", "push", std::to_string(hosts.size()) + (hosts.size() == 1 ? " host" : " hosts"),
         origin + " (release of deployment " + std::to_string(base) + ")", (*dep)->release());
  StartDeployment(*dep);
  return dep;
}

Result<std::vector<std::string>> Server::ResolveTargets(const google::protobuf::RepeatedPtrField<std::string>& to,
                                                        const std::string& group, bool active_only) {
  std::vector<std::string> out;
  if (!group.empty() && !to.empty()) return Error(Errc::kInvalidArgument, "name hosts or a group, not both");
  if (!group.empty()) {
    auto g = desired_.groups().find(group);
    if (g == desired_.groups().end()) return Error(Errc::kNotFound, "no group " + group);
    for (const std::string& id : g->second)
      if (registry_.Find(id)) out.push_back(id);
    if (out.empty()) return Error(Errc::kNotFound, "group " + group + " has no registered hosts");
    return out;
  }
  for (const std::string& id : to) {
    if (!registry_.Find(id)) return Error(Errc::kNotFound, "unknown client id: " + id);
    out.push_back(id);
  }
  if (!out.empty()) return out;
  for (const RegisteredClient* c : registry_.All())
    if (registry_.IsApproved(*c) && (!active_only || registry_.IsActive(*c))) out.push_back(c->record.id);
  if (out.empty()) return Error(Errc::kNotFound, "no approved clients are registered");
  return out;
}

void Server::OnDeploymentDone(uint64_t id) {
  AdvanceRollout(id);
  deployments_.erase(id);
}

void Server::HandleGroups(const control::Groups& g, control::Replier& r) {
  std::vector<std::string> ids(g.ids().begin(), g.ids().end());
  Status st;
  std::string text;
  if (g.action() == "create") {
    st = desired_.CreateGroup(g.group());
    text = "group " + g.group() + " created";
  } else if (g.action() == "delete") {
    st = desired_.DeleteGroup(g.group());
    text = "group " + g.group() + " deleted";
  } else if (g.action() == "add" || g.action() == "remove") {
    for (const std::string& id : ids)
      if (!registry_.Find(id) && g.action() == "add")
        return (void)r.Send(Reply(control::RESULT_NOT_FOUND, "unknown client id: " + id));
    st = g.action() == "add" ? desired_.AddMembers(g.group(), ids) : desired_.RemoveMembers(g.group(), ids);
    text = std::to_string(ids.size()) + (ids.size() == 1 ? " host " : " hosts ") +
           (g.action() == "add" ? "added to " : "removed from ") + g.group();
  } else if (!g.action().empty() && g.action() != "list") {
    return (void)r.Send(Reply(control::RESULT_INVALID, "groups: unknown action " + g.action()));
  }
  if (!st.ok()) return (void)r.Send(Reply(CodeFor(st.error()), "groups: " + st.error().message()));
  if (g.action() == "add")
    for (const std::string& id : ids) CatchUp(id, "joining group " + g.group());
  control::Response resp = Reply(control::RESULT_OK, text);
  for (const auto& [name, members] : desired_.groups()) {
    control::GroupInfo* gi = resp.mutable_groups()->add_groups();
    gi->set_name(name);
    for (const std::string& m : members) gi->add_members(m);
  }
  r.Send(std::move(resp));
}

void Server::HandleQuery(const control::FleetQuery& q, const std::shared_ptr<control::Replier>& r) {
  auto hosts = ResolveTargets(q.to(), q.group(), false);
  if (!hosts.ok()) return (void)r->Send(Reply(CodeFor(hosts.error()), "query: " + hosts.error().message()));
  requests_->Ask(*hosts, wire::Datagram::kQuery, AskTimeout(q.timeout_ms()), [this, r](HostRequests::Answers a) {
    control::Response resp = Reply(control::RESULT_OK, "");
    for (const auto& [id, report] : a) {
      control::HostReport* h = resp.mutable_fleet()->add_hosts();
      h->set_client_id(id);
      const RegisteredClient* c = registry_.Find(id);
      const Release* rel = nullptr;
      if (!c) continue;
      if (!report) {
        SyncOf(*c, c->record.running, c->record.staged, &rel);
        h->set_sync("unreachable");
      } else {
        registry_.RecordReport(id, *report);
        Sync s = SyncOf(*c, report->running(), report->staged(), &rel);
        h->set_sync(SyncName(s));
        *h->mutable_running() = report->running();
        *h->mutable_staged() = report->staged();
        *h->mutable_previous() = report->previous();
        h->set_plugin_uptime_ms(report->plugin_uptime_ms());
        h->set_ok(true);
      }
      if (rel) *h->mutable_desired() = rel->info;
    }
    resp.set_text(Tally(resp.fleet()));
    r->Send(std::move(resp));
  });
}

void Server::HandleReconcile(const control::Reconcile& q, control::Replier& r) {
  control::Response resp = Reply(control::RESULT_OK, "");
  std::map<uint64_t, std::vector<std::string>> plan;  // desired deployment -> hosts behind it
  for (const RegisteredClient* c : registry_.All()) {
    if (!registry_.IsApproved(*c)) continue;
    const Release* rel = nullptr;
    Sync s = SyncOf(*c, c->record.running, c->record.staged, &rel);
    control::HostReport* h = resp.mutable_fleet()->add_hosts();
    h->set_client_id(c->record.id);
    h->set_sync(SyncName(s));
    *h->mutable_running() = c->record.running;
    *h->mutable_staged() = c->record.staged;
    if (rel) *h->mutable_desired() = rel->info;
    if (s != Sync::kBehind || !rel) {
      h->set_result("none");
    } else if (!registry_.IsActive(*c)) {
      h->set_result("skip: lease expired");
    } else if (engine_->HasJob(c->record.id)) {
      h->set_result("skip: a push to it is running");
    } else {
      h->set_result("push " + Version(rel->info));
      plan[rel->rec.id].push_back(c->record.id);
    }
  }
  size_t n = 0;
  for (const auto& [dep, hosts] : plan) n += hosts.size();
  std::string what = std::to_string(n) + (n == 1 ? " host" : " hosts");
  if (q.dry_run()) {
    resp.set_text(n ? "would push to " + what : "every reachable host is current");
    return (void)r.Send(std::move(resp));
  }
  for (const auto& [dep, hosts] : plan) {
    auto launched = Relaunch(dep, hosts, "reconcile");
    if (!launched.ok()) return (void)r.Send(Reply(control::RESULT_ERROR, "reconcile: " + launched.error().message()));
  }
  resp.set_text(n ? "pushing to " + what + " (follow with nxtctl clients or nxtctl query)" : "every reachable host is current");
  r.Send(std::move(resp));
}

void Server::HandleSwap(const control::Request& req, const std::shared_ptr<control::Replier>& r) {
  bool activate = req.has_activate();
  const auto& to = activate ? req.activate().to() : req.rollback().to();
  const std::string& group = activate ? req.activate().group() : req.rollback().group();
  const char* verb = activate ? "activate" : "rollback";
  auto hosts = ResolveTargets(to, group, true);
  if (!hosts.ok()) return (void)r->Send(Reply(CodeFor(hosts.error()), std::string(verb) + ": " + hosts.error().message()));
  if (activate && to.empty() && group.empty()) {
    // Everyone, by default: the hosts that hold something staged.
    std::erase_if(*hosts, [&](const std::string& id) { return registry_.Find(id)->record.staged.sha256().empty(); });
    if (hosts->empty()) return (void)r->Send(Reply(control::RESULT_NOT_FOUND, "activate: no host has a staged release"));
  }
  uint32_t ms = activate ? req.activate().timeout_ms() : req.rollback().timeout_ms();
  auto kind = activate ? wire::Datagram::kActivate : wire::Datagram::kRollback;
  requests_->Ask(*hosts, kind, AskTimeout(ms), [this, r, activate, verb](HostRequests::Answers a) {
    control::Response resp = Reply(control::RESULT_OK, "");
    size_t failed = 0;
    for (const auto& [id, report] : a) {
      control::HostReport* h = resp.mutable_fleet()->add_hosts();
      h->set_client_id(id);
      if (!report) {
        ++failed;
        h->set_sync("unreachable");
        h->set_result("no answer");
        Record(0, id, verb, "unreachable", "", {});
        continue;
      }
      registry_.RecordReport(id, *report);
      *h->mutable_running() = report->running();
      *h->mutable_staged() = report->staged();
      *h->mutable_previous() = report->previous();
      if (const RegisteredClient* c = registry_.Find(id)) {
        const Release* rel = nullptr;
        // After a rollback the host is held: say so (the hold is set just below).
        h->set_sync(!activate && report->ok() ? "held" : SyncName(SyncOf(*c, report->running(), report->staged(), &rel)));
        if (rel && (activate || !report->ok())) *h->mutable_desired() = rel->info;
      }
      h->set_result(report->result());
      h->set_ok(report->ok());
      failed += !report->ok();
      Record(0, id, verb, report->ok() ? (activate ? "activated" : "rolled back") : "failed", report->result(),
             report->running());
      // Rolled back on purpose: no automatic push may undo it until a newer push.
      if (!activate && report->ok()) (void)desired_.Set(HostScope(id), 0, clock_.UnixMs());
      registry_.RecordResult(id, std::string(verb) + ": " + report->result(), nullptr);
    }
    resp.set_code(failed ? control::RESULT_ERROR : control::RESULT_OK);
    resp.set_text(failed ? std::to_string(failed) + " of " + std::to_string(a.size()) + " hosts failed"
                         : std::string(activate ? "activated on " : "rolled back on ") + std::to_string(a.size()) +
                               (a.size() == 1 ? " host" : " hosts"));
    r->Send(std::move(resp));
  });
}

void Server::HandleHistory(const control::HistoryGet& h, control::Replier& r) {
  if (!h.client_id().empty() && !registry_.Find(h.client_id()))
    return (void)r.Send(Reply(control::RESULT_NOT_FOUND, "history: unknown client id: " + h.client_id()));
  auto entries = fleet_db_.LoadHistory(h.client_id(), h.limit() ? h.limit() : 100);
  if (!entries.ok()) return (void)r.Send(Reply(control::RESULT_ERROR, "history: " + entries.error().message()));
  control::Response resp = Reply(control::RESULT_OK, "");
  for (auto& e : *entries) *resp.mutable_history()->add_entries() = std::move(e);
  r.Send(std::move(resp));
}

}  // namespace nxt::server
