// nxt-serverd's rollouts (nxtctl push --wave): the hosts are split into waves
// (rollout_plan.h); each wave is one deployment, started when the previous
// one finished with no more failures than allowed. Past the threshold the
// rollout halts and the remaining hosts are never touched, not even by
// push-latest on registration (their desired release is only set when their
// wave starts); once the last wave is done, the release becomes the desired
// one of the whole scope, so late registrants get it. Every step is saved in
// FleetDb, so a restarted server carries on.
#include "artifact/release.h"
#include "crypto/digest.h"
#include "server/rollout_plan.h"
#include "server/server.h"

namespace nxt::server {
namespace {
constexpr sys::MessageId kMsgRollout("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b21");

control::Response Reply(control::ResultCode code, std::string text) {
  return control::MakeResponse(code, std::move(text));
}

std::string WaveName(const control::RolloutInfo& ro) {
  return "rollout " + std::to_string(ro.id()) + " wave " + std::to_string(ro.wave_index() + 1) + " of " +
         std::to_string(ro.waves());
}
}  // namespace

void Server::StartRollout(const control::Push& push, const std::vector<std::string>& targets, DeploymentRecord rec,
                          std::shared_ptr<artifact::StoredArtifact> art, const std::shared_ptr<control::Replier>& r) {
  auto wave = ParseAmount(push.wave(), 1);
  auto max_failures = ParseAmount(push.max_failures().empty() ? "0" : push.max_failures(), 0);
  if (!wave.ok()) return (void)r->Send(Reply(control::RESULT_INVALID, "push --wave: " + wave.error().message()));
  if (!max_failures.ok())
    return (void)r->Send(Reply(control::RESULT_INVALID, "push --max-failures: " + max_failures.error().message()));
  auto plan = PlanWaves(targets, *wave);
  control::RolloutInfo ro;
  ro.set_state("running");
  ro.set_name(push.path());
  ro.set_wave(wave->ToString());
  ro.set_max_failures(max_failures->ToString());
  ro.set_waves(static_cast<uint32_t>(plan.size()));
  ro.set_created_unix_ms(clock_.UnixMs());
  ro.set_scope(!push.group().empty() ? GroupScope(push.group()) : push.to().empty() ? kAllHosts : "");
  auto m = artifact::PeekSignedManifest(crypto::AsBytes(rec.signed_manifest));
  *ro.mutable_artifact() = m.ok() ? m->artifact() : art->manifest.artifact();
  for (const auto& hosts : plan) {
    control::RolloutWave* w = ro.add_plan();
    for (const std::string& h : hosts) w->add_hosts(h);
  }
  // The first wave's deployment row holds the release every later wave re-ships.
  auto first = db_.CreateDeployment(rec, plan.front());
  if (!first.ok()) return (void)r->Send(Reply(control::RESULT_ERROR, "push: " + first.error().message()));
  ro.mutable_plan(0)->set_deployment(*first);
  auto id = fleet_db_.CreateRollout(ro);
  if (!id.ok()) return (void)r->Send(Reply(control::RESULT_ERROR, "push: " + id.error().message()));
  ro.set_id(*id);
  Status st = LaunchWave(ro);
  rollouts_[*id] = ro;
  (void)fleet_db_.SaveRollout(ro);
  if (!st.ok()) return (void)r->Send(Reply(control::RESULT_ERROR, "push: " + st.error().message()));
  log_.Info(kMsgRollout, "rollout " + std::to_string(*id) + " of " + push.path() + " to " +
                             std::to_string(targets.size()) + " hosts in " + std::to_string(plan.size()) +
                             " waves (max failures per wave " + ro.max_failures() + ")",
            {{"NXT_ROLLOUT", std::to_string(*id)}});
  control::Response resp = Reply(control::RESULT_OK, "rollout " + std::to_string(*id) + " started: " +
                                                         std::to_string(plan.size()) + " waves; follow it with "
                                                         "nxtctl rollout status");
  *resp.mutable_rollouts()->add_rollouts() = ro;
  r->Send(std::move(resp));
}

// Starts the wave at ro.wave_index: its hosts' desired release is set now, not before.
Status Server::LaunchWave(control::RolloutInfo& ro) {
  control::RolloutWave& w = *ro.mutable_plan(static_cast<int>(ro.wave_index()));
  std::vector<std::string> hosts(w.hosts().begin(), w.hosts().end());
  uint64_t base = ro.plan(0).deployment();
  for (const std::string& h : hosts) NXT_TRY(desired_.Set(HostScope(h), base, clock_.UnixMs()));
  if (ro.wave_index() == 0) {
    NXT_ASSIGN(DeploymentRecord rec, db_.LoadDeployment(base));
    NXT_ASSIGN(auto dep, BuildDeployment(rec, hosts));
    Record(base, "", "push", std::to_string(hosts.size()) + " hosts", WaveName(ro) + ": " + ro.name(), dep->release());
    StartDeployment(dep);
    return Ok();
  }
  NXT_ASSIGN(auto dep, Relaunch(base, hosts, WaveName(ro)));
  w.set_deployment(dep->id());
  return Ok();
}

void Server::AdvanceRollout(uint64_t deployment) {
  for (auto& [id, ro] : rollouts_) {
    if (ro.state() != "running" || ro.plan(static_cast<int>(ro.wave_index())).deployment() != deployment) continue;
    auto targets = fleet_db_.LoadTargets(deployment);
    if (!targets.ok()) return log_.Error("rollout " + std::to_string(id) + ": " + targets.error().message());
    uint32_t failed = 0, ok = 0;
    for (const TargetRecord& t : *targets) {
      if (!IsTerminal(t.state)) return;  // not finished after all
      (t.state == control::TARGET_FAILED || t.state == control::TARGET_DECLINED ? failed : ok)++;
    }
    control::RolloutWave& w = *ro.mutable_plan(static_cast<int>(ro.wave_index()));
    w.set_failed(failed);
    w.set_succeeded(ok);
    auto limit = ParseAmount(ro.max_failures(), 0);
    if (limit.ok() && ExceedsFailures(failed, static_cast<uint32_t>(w.hosts_size()), *limit)) {
      ro.set_state("halted");
      ro.set_reason("wave " + std::to_string(ro.wave_index() + 1) + ": " + std::to_string(failed) + " of " +
                    std::to_string(w.hosts_size()) + " hosts failed (max " + ro.max_failures() + ")");
      log_.Warning(kMsgRollout, "rollout " + std::to_string(id) + " halted: " + ro.reason() +
                                    "; the remaining hosts are untouched (nxtctl rollout resume|abort)",
                   {{"NXT_ROLLOUT", std::to_string(id)}});
      Record(deployment, "", "rollout", "halted", ro.reason(), ro.artifact());
    } else if (ro.wave_index() + 1 < ro.waves()) {
      ro.set_wave_index(ro.wave_index() + 1);
      if (Status st = LaunchWave(ro); !st.ok()) {
        ro.set_state("halted");
        ro.set_reason("cannot start " + WaveName(ro) + ": " + st.error().message());
      }
    } else {
      ro.set_state("done");
      // Done: hosts that register later (or join the group) get this release too.
      if (!ro.scope().empty()) (void)desired_.Set(ro.scope(), ro.plan(0).deployment(), clock_.UnixMs());
      log_.Info(kMsgRollout, "rollout " + std::to_string(id) + " done", {{"NXT_ROLLOUT", std::to_string(id)}});
      Record(deployment, "", "rollout", "done", std::to_string(ro.waves()) + " waves", ro.artifact());
    }
    if (Status st = fleet_db_.SaveRollout(ro); !st.ok()) log_.Error("cannot save rollout: " + st.error().message());
    return;
  }
}

// After a restart: a running rollout whose wave finished while the server was
// down (or was never started) carries on; a running wave was resumed with the
// other unfinished deployments and advances when it is done.
void Server::ResumeRollouts() {
  auto all = fleet_db_.LoadRollouts();
  if (!all.ok()) return log_.Error("cannot load rollouts: " + all.error().message());
  for (auto& ro : *all) {
    uint64_t id = ro.id();
    rollouts_[id] = std::move(ro);
    control::RolloutInfo& r = rollouts_[id];
    if (r.state() != "running") continue;
    uint64_t dep = r.plan(static_cast<int>(r.wave_index())).deployment();
    if (dep != 0 && !deployments_.count(dep)) {
      loop_->Defer([this, dep] { AdvanceRollout(dep); });
    } else if (dep == 0) {
      if (Status st = LaunchWave(r); !st.ok()) log_.Error("rollout " + std::to_string(id) + ": " + st.error().message());
      (void)fleet_db_.SaveRollout(r);
    }
  }
}

void Server::HandleRollout(const control::Rollout& cmd, control::Replier& r) {
  if (rollouts_.empty()) return (void)r.Send(Reply(control::RESULT_NOT_FOUND, "rollout: there are no rollouts"));
  uint64_t id = cmd.id() ? cmd.id() : rollouts_.rbegin()->first;
  auto it = rollouts_.find(id);
  if (it == rollouts_.end()) return (void)r.Send(Reply(control::RESULT_NOT_FOUND, "rollout: no rollout " + std::to_string(id)));
  control::RolloutInfo& ro = it->second;
  std::string text;
  if (cmd.action() == "resume") {
    if (ro.state() != "halted")
      return (void)r.Send(Reply(control::RESULT_INVALID, "rollout " + std::to_string(id) + " is " + ro.state() + ", not halted"));
    ro.set_reason("");
    if (ro.wave_index() + 1 >= ro.waves()) {
      ro.set_state("done");
      if (!ro.scope().empty()) (void)desired_.Set(ro.scope(), ro.plan(0).deployment(), clock_.UnixMs());
      text = "rollout " + std::to_string(id) + ": that was the last wave; done";
    } else {
      ro.set_state("running");
      ro.set_wave_index(ro.wave_index() + 1);
      Status st = LaunchWave(ro);
      if (!st.ok()) {
        ro.set_state("halted");
        ro.set_reason(st.error().message());
      }
      text = "rollout " + std::to_string(id) + " resumed: wave " + std::to_string(ro.wave_index() + 1) + " of " +
             std::to_string(ro.waves()) + " started";
    }
    Record(0, "", "rollout", "resumed", "rollout " + std::to_string(id), ro.artifact());
  } else if (cmd.action() == "abort") {
    if (ro.state() != "running" && ro.state() != "halted")
      return (void)r.Send(Reply(control::RESULT_INVALID, "rollout " + std::to_string(id) + " is already " + ro.state()));
    ro.set_state("aborted");
    text = "rollout " + std::to_string(id) + " aborted; hosts of later waves are untouched";
    Record(0, "", "rollout", "aborted", "rollout " + std::to_string(id), ro.artifact());
  } else if (!cmd.action().empty() && cmd.action() != "status") {
    return (void)r.Send(Reply(control::RESULT_INVALID, "rollout: unknown action " + cmd.action()));
  }
  if (Status st = fleet_db_.SaveRollout(ro); !st.ok()) return (void)r.Send(Reply(control::RESULT_ERROR, st.error().message()));
  control::Response resp = Reply(control::RESULT_OK, text);
  *resp.mutable_rollouts()->add_rollouts() = ro;
  r.Send(std::move(resp));
}

}  // namespace nxt::server
