// Rendering of the fleet commands' replies: groups, live host reports
// (query, activate, rollback, reconcile), rollouts and history.
#include "ctl/render.h"

namespace nxt::ctl {
namespace {
std::string Version(const wire::ArtifactInfo& a) {
  return a.product().empty() && a.sha256().empty() && a.name().empty() ? "" : FormatVersion(a);
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}
}  // namespace

std::string RenderGroups(const control::GroupList& list) {
  if (list.groups_size() == 0) return "no groups\n";
  Table t({"GROUP", "MEMBERS"});
  for (const auto& g : list.groups()) t.AddRow({g.name(), Join(g.members())});
  return t.Render();
}

std::string RenderFleet(const control::FleetReport& report, const std::string& summary) {
  Table t({"HOST", "SYNC", "RUNNING", "STAGED", "DESIRED", "UPTIME", "RESULT"});
  for (const auto& h : report.hosts())
    t.AddRow({h.client_id(), h.sync(), Version(h.running()), Version(h.staged()), Version(h.desired()),
              h.plugin_uptime_ms() ? FormatDuration(h.plugin_uptime_ms()) : "", h.result()});
  return (report.hosts_size() ? t.Render() : "") + (summary.empty() ? "" : summary + "\n");
}

std::string RenderRollouts(const control::RolloutList& list, uint64_t now_unix_ms) {
  std::string out;
  for (const auto& r : list.rollouts()) {
    out += "rollout " + std::to_string(r.id()) + ": " + r.state() + ", " + FormatVersion(r.artifact()) + " (" +
           r.name() + "), waves of " + r.wave() + ", max failures " + r.max_failures() + " per wave, started " +
           FormatAgo(r.created_unix_ms(), now_unix_ms) + "\n";
    if (!r.reason().empty()) out += "  halted: " + r.reason() + "\n";
    Table t({"WAVE", "STATE", "DEPLOYMENT", "OK", "FAILED", "HOSTS"});
    for (int i = 0; i < r.plan_size(); ++i) {
      const auto& w = r.plan(i);
      uint32_t idx = static_cast<uint32_t>(i);
      std::string state = idx < r.wave_index()    ? "done"
                          : idx > r.wave_index()  ? (r.state() == "running" || r.state() == "halted" ? "waiting"
                                                                                                     : "not run")
                          : r.state() == "running" ? "running"
                          : r.state() == "halted"  ? "halted"
                                                   : "done";
      t.AddRow({std::to_string(i + 1), state, w.deployment() ? std::to_string(w.deployment()) : "",
                w.deployment() ? std::to_string(w.succeeded()) : "", w.deployment() ? std::to_string(w.failed()) : "",
                Join(w.hosts())});
    }
    out += t.Render();
  }
  return out;
}

std::string RenderHistory(const control::History& history, uint64_t now_unix_ms) {
  if (history.entries_size() == 0) return "no history\n";
  Table t({"WHEN", "DEPLOYMENT", "HOST", "ACTION", "VERSION", "RESULT", "DETAIL"});
  for (const auto& e : history.entries())
    t.AddRow({FormatAgo(e.at_unix_ms(), now_unix_ms), e.deployment() ? std::to_string(e.deployment()) : "",
              e.client_id(), e.action(), Version(e.artifact()), e.result(), e.detail()});
  return t.Render();
}

}  // namespace nxt::ctl
