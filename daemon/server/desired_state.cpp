#include "server/desired_state.h"

#include <algorithm>

#include "server/fleet_db.h"

namespace nxt::server {

const DesiredEntry* ResolveDesired(const std::string& host, const std::set<std::string>& host_groups,
                                   const std::vector<DesiredEntry>& entries) {
  const DesiredEntry* best = nullptr;
  for (const DesiredEntry& e : entries) {
    bool covers = e.scope == kAllHosts || e.scope == HostScope(host) ||
                  (e.scope.rfind("group:", 0) == 0 && host_groups.count(e.scope.substr(6)));
    if (covers && (!best || e.seq > best->seq)) best = &e;
  }
  return best;
}

const char* SyncName(Sync s) {
  switch (s) {
    case Sync::kNone: return "";
    case Sync::kCurrent: return "current";
    case Sync::kStaged: return "staged";
    case Sync::kBehind: return "behind";
    case Sync::kHeld: return "held";
  }
  return "";
}

Sync CompareToDesired(const DesiredEntry* entry, const std::string& desired_sha, const wire::ArtifactInfo& running,
                      const wire::ArtifactInfo& staged) {
  if (!entry) return Sync::kNone;
  if (entry->deployment == 0) return Sync::kHeld;
  if (desired_sha.empty()) return Sync::kNone;  // the release is gone from the catalog
  if (running.sha256() == desired_sha) return Sync::kCurrent;
  // Staged and waiting (a --later push, or a host whose policy is manual or a
  // window): sending it again would change nothing.
  if (staged.sha256() == desired_sha) return Sync::kStaged;
  return Sync::kBehind;
}

Status DesiredState::Load() {
  NXT_ASSIGN(groups_, db_.LoadGroups());
  NXT_ASSIGN(entries_, db_.LoadDesired());
  for (const DesiredEntry& e : entries_) next_seq_ = std::max(next_seq_, e.seq + 1);
  return Ok();
}

std::set<std::string> DesiredState::GroupsOf(const std::string& host) const {
  std::set<std::string> out;
  for (const auto& [name, members] : groups_)
    if (members.count(host)) out.insert(name);
  return out;
}

Status DesiredState::CreateGroup(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.find_first_of(" ,:*") != std::string::npos)
    return Error(Errc::kInvalidArgument, "a group name is 1-64 characters without spaces, ',', ':' or '*'");
  if (groups_.count(name)) return Error(Errc::kInvalidArgument, "group " + name + " exists already");
  NXT_TRY(db_.CreateGroup(name));
  groups_[name];
  return Ok();
}

Status DesiredState::DeleteGroup(const std::string& name) {
  if (!groups_.count(name)) return Error(Errc::kNotFound, "no group " + name);
  NXT_TRY(db_.DeleteGroup(name));
  groups_.erase(name);
  std::erase_if(entries_, [&](const DesiredEntry& e) { return e.scope == GroupScope(name); });
  return Ok();
}

Status DesiredState::AddMembers(const std::string& name, const std::vector<std::string>& ids) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return Error(Errc::kNotFound, "no group " + name + " (nxtctl groups create " + name + ")");
  for (const std::string& id : ids) {
    NXT_TRY(db_.AddMember(name, id));
    it->second.insert(id);
  }
  return Ok();
}

Status DesiredState::RemoveMembers(const std::string& name, const std::vector<std::string>& ids) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return Error(Errc::kNotFound, "no group " + name);
  for (const std::string& id : ids) {
    NXT_TRY(db_.RemoveMember(name, id));
    it->second.erase(id);
  }
  return Ok();
}

Status DesiredState::Set(const std::string& scope, uint64_t deployment, uint64_t now_ms) {
  DesiredEntry e{scope, deployment, next_seq_++, now_ms};
  NXT_TRY(db_.SaveDesired(e));
  std::erase_if(entries_, [&](const DesiredEntry& old) { return old.scope == scope; });
  entries_.push_back(std::move(e));
  return Ok();
}

const DesiredEntry* DesiredState::For(const std::string& host) const {
  return ResolveDesired(host, GroupsOf(host), entries_);
}

}  // namespace nxt::server
