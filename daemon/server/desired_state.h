// Desired state: which release each host should run. A push records its
// release (by deployment id) for the scope it targeted: every host ("*"), a
// host ("host:ID") or a group ("group:NAME"); for a host, the newest entry
// whose scope covers it wins. Deployment 0 means "hold" (set by a rollback):
// nothing is pushed to that host automatically until a newer push.
//
// The pure part (ResolveDesired, CompareToDesired) decides; DesiredState
// keeps the groups and entries in memory, written through to FleetDb.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "nxt/wire.pb.h"

namespace nxt::server {

struct DesiredEntry {
  std::string scope;        // "*" | "host:ID" | "group:NAME"
  uint64_t deployment = 0;  // 0 = hold
  uint64_t seq = 0;         // newer entries have larger seq
  uint64_t set_ms = 0;      // unix ms, for display
};

inline constexpr const char* kAllHosts = "*";
inline std::string HostScope(const std::string& id) { return "host:" + id; }
inline std::string GroupScope(const std::string& name) { return "group:" + name; }

// The newest entry that covers `host` (member of `host_groups`); nullptr if none.
const DesiredEntry* ResolveDesired(const std::string& host, const std::set<std::string>& host_groups,
                                   const std::vector<DesiredEntry>& entries);

enum class Sync {
  kNone,     // no desired release for this host
  kCurrent,  // runs it
  kStaged,   // holds it staged, waiting for activation
  kBehind,   // runs something else: push it
  kHeld,     // rolled back on purpose: leave it alone
};
const char* SyncName(Sync s);  // "", "current", "staged", "behind", "held"

// `desired_sha`: the desired release's raw 32-byte SHA-256 (ignored for kNone/kHeld).
Sync CompareToDesired(const DesiredEntry* entry, const std::string& desired_sha, const wire::ArtifactInfo& running,
                      const wire::ArtifactInfo& staged);

class FleetDb;

class DesiredState {
 public:
  explicit DesiredState(FleetDb& db) : db_(db) {}
  Status Load();

  const std::map<std::string, std::set<std::string>>& groups() const { return groups_; }
  std::set<std::string> GroupsOf(const std::string& host) const;
  Status CreateGroup(const std::string& name);
  Status DeleteGroup(const std::string& name);
  Status AddMembers(const std::string& name, const std::vector<std::string>& ids);
  Status RemoveMembers(const std::string& name, const std::vector<std::string>& ids);

  Status Set(const std::string& scope, uint64_t deployment, uint64_t now_ms);
  const DesiredEntry* For(const std::string& host) const;

 private:
  FleetDb& db_;
  std::map<std::string, std::set<std::string>> groups_;
  std::vector<DesiredEntry> entries_;
  uint64_t next_seq_ = 1;
};

}  // namespace nxt::server
