// The fleet's durable state, in the server's state.db next to StateDb's
// tables: groups, the desired release per scope, the deployment history and
// rollouts. Plain reads and writes; the decisions live in desired_state.h
// and rollout_plan.h.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "nxt/control.pb.h"
#include "server/desired_state.h"
#include "server/state_db.h"
#include "sqlite/database.h"

namespace nxt::server {

class FleetDb {
 public:
  explicit FleetDb(sqlite::Database& db) : db_(db) {}

  Result<std::map<std::string, std::set<std::string>>> LoadGroups();
  Status CreateGroup(const std::string& name);
  Status DeleteGroup(const std::string& name);
  Status AddMember(const std::string& group, const std::string& client_id);
  Status RemoveMember(const std::string& group, const std::string& client_id);

  Result<std::vector<DesiredEntry>> LoadDesired();
  Status SaveDesired(const DesiredEntry& e);

  Result<std::vector<TargetRecord>> LoadTargets(uint64_t deployment);
  // Did the last attempt to ship this release (by artifact SHA-256) to the host fail?
  Result<bool> FailedLastTime(const std::string& client_id, const std::string& sha256_hex);

  Status AddHistory(const control::HistoryEntry& e);
  // Newest first; `client_id` empty = every host (and the deployments themselves).
  Result<std::vector<control::HistoryEntry>> LoadHistory(const std::string& client_id, uint32_t limit);

  Result<uint64_t> CreateRollout(const control::RolloutInfo& r);
  Status SaveRollout(const control::RolloutInfo& r);
  Result<std::vector<control::RolloutInfo>> LoadRollouts();

 private:
  sqlite::Database& db_;
};

}  // namespace nxt::server
