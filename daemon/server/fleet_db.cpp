#include "server/fleet_db.h"

namespace nxt::server {
namespace {
template <typename T>
T FromBlob(const std::vector<uint8_t>& bytes) {
  T m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) m.Clear();
  return m;
}
}  // namespace

Result<std::map<std::string, std::set<std::string>>> FleetDb::LoadGroups() {
  NXT_ASSIGN(auto st, db_.Prepare("SELECT name, client_id FROM groups ORDER BY name, client_id"));
  std::map<std::string, std::set<std::string>> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    auto& members = out[st.ColumnText(0)];
    if (std::string id = st.ColumnText(1); !id.empty()) members.insert(id);
  }
  return out;
}

Status FleetDb::CreateGroup(const std::string& name) { return AddMember(name, ""); }

Status FleetDb::DeleteGroup(const std::string& name) {
  NXT_ASSIGN(auto st, db_.Prepare("DELETE FROM groups WHERE name = ?"));
  NXT_TRY(st.BindAll(std::string_view(name)));
  NXT_TRY(st.Run());
  NXT_ASSIGN(auto d, db_.Prepare("DELETE FROM desired WHERE scope = ?"));
  NXT_TRY(d.BindAll(std::string_view("group:" + name)));
  return d.Run();
}

Status FleetDb::AddMember(const std::string& group, const std::string& client_id) {
  NXT_ASSIGN(auto st, db_.Prepare("INSERT OR IGNORE INTO groups (name, client_id) VALUES (?, ?)"));
  NXT_TRY(st.BindAll(std::string_view(group), std::string_view(client_id)));
  return st.Run();
}

Status FleetDb::RemoveMember(const std::string& group, const std::string& client_id) {
  NXT_ASSIGN(auto st, db_.Prepare("DELETE FROM groups WHERE name = ? AND client_id = ?"));
  NXT_TRY(st.BindAll(std::string_view(group), std::string_view(client_id)));
  return st.Run();
}

Result<std::vector<DesiredEntry>> FleetDb::LoadDesired() {
  NXT_ASSIGN(auto st, db_.Prepare("SELECT scope, deployment, seq, set_ms FROM desired ORDER BY seq"));
  std::vector<DesiredEntry> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.ColumnText(0), static_cast<uint64_t>(st.ColumnInt64(1)), static_cast<uint64_t>(st.ColumnInt64(2)),
                   static_cast<uint64_t>(st.ColumnInt64(3))});
  }
  return out;
}

Status FleetDb::SaveDesired(const DesiredEntry& e) {
  NXT_ASSIGN(auto st, db_.Prepare(
      "INSERT INTO desired (scope, deployment, seq, set_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(scope) DO UPDATE SET deployment = ?2, seq = ?3, set_ms = ?4"));
  NXT_TRY(st.BindAll(std::string_view(e.scope), static_cast<int64_t>(e.deployment), static_cast<int64_t>(e.seq),
                     static_cast<int64_t>(e.set_ms)));
  return st.Run();
}

Result<std::vector<TargetRecord>> FleetDb::LoadTargets(uint64_t deployment) {
  NXT_ASSIGN(auto st, db_.Prepare("SELECT client_id, state, reason FROM targets WHERE deployment = ? ORDER BY client_id"));
  NXT_TRY(st.BindAll(static_cast<int64_t>(deployment)));
  std::vector<TargetRecord> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    out.push_back({deployment, st.ColumnText(0), static_cast<control::TargetState>(st.ColumnInt64(1)), st.ColumnText(2)});
  }
  return out;
}

Result<bool> FleetDb::FailedLastTime(const std::string& client_id, const std::string& sha256_hex) {
  NXT_ASSIGN(auto st, db_.Prepare(
      "SELECT t.state FROM targets t JOIN deployments d ON d.id = t.deployment "
      "WHERE t.client_id = ? AND d.sha256 = ? ORDER BY t.deployment DESC LIMIT 1"));
  NXT_TRY(st.BindAll(std::string_view(client_id), std::string_view(sha256_hex)));
  NXT_ASSIGN(bool row, st.Step());
  if (!row) return false;
  auto state = static_cast<control::TargetState>(st.ColumnInt64(0));
  return state == control::TARGET_FAILED || state == control::TARGET_DECLINED;
}

Status FleetDb::AddHistory(const control::HistoryEntry& e) {
  NXT_ASSIGN(auto st, db_.Prepare(
      "INSERT INTO history (at_ms, deployment, client_id, action, result, detail, artifact) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  NXT_TRY(st.BindAll(static_cast<int64_t>(e.at_unix_ms()), static_cast<int64_t>(e.deployment()),
                     std::string_view(e.client_id()), std::string_view(e.action()), std::string_view(e.result()),
                     std::string_view(e.detail())));
  NXT_TRY(st.BindBlob(7, e.artifact().SerializeAsString()));
  return st.Run();
}

Result<std::vector<control::HistoryEntry>> FleetDb::LoadHistory(const std::string& client_id, uint32_t limit) {
  // A host's history includes the deployments that targeted it (their rows have no client).
  NXT_ASSIGN(auto st, db_.Prepare(
      "SELECT at_ms, deployment, client_id, action, result, detail, artifact FROM history "
      "WHERE ?1 = '' OR client_id = ?1 OR (client_id = '' AND deployment IN "
      "(SELECT deployment FROM targets WHERE client_id = ?1)) ORDER BY id DESC LIMIT ?2"));
  NXT_TRY(st.BindAll(std::string_view(client_id), static_cast<int64_t>(limit)));
  std::vector<control::HistoryEntry> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    control::HistoryEntry e;
    e.set_at_unix_ms(static_cast<uint64_t>(st.ColumnInt64(0)));
    e.set_deployment(static_cast<uint64_t>(st.ColumnInt64(1)));
    e.set_client_id(st.ColumnText(2));
    e.set_action(st.ColumnText(3));
    e.set_result(st.ColumnText(4));
    e.set_detail(st.ColumnText(5));
    *e.mutable_artifact() = FromBlob<wire::ArtifactInfo>(st.ColumnBlob(6));
    out.push_back(std::move(e));
  }
  return out;
}

Result<uint64_t> FleetDb::CreateRollout(const control::RolloutInfo& r) {
  NXT_ASSIGN(auto st, db_.Prepare("INSERT INTO rollouts (info) VALUES (?)"));
  NXT_TRY(st.BindBlob(1, r.SerializeAsString()));
  NXT_TRY(st.Run());
  return static_cast<uint64_t>(db_.LastInsertRowId());
}

Status FleetDb::SaveRollout(const control::RolloutInfo& r) {
  NXT_ASSIGN(auto st, db_.Prepare("UPDATE rollouts SET info = ? WHERE id = ?"));
  NXT_TRY(st.BindBlob(1, r.SerializeAsString()));
  NXT_TRY(st.Bind(2, static_cast<int64_t>(r.id())));
  return st.Run();
}

Result<std::vector<control::RolloutInfo>> FleetDb::LoadRollouts() {
  NXT_ASSIGN(auto st, db_.Prepare("SELECT id, info FROM rollouts ORDER BY id"));
  std::vector<control::RolloutInfo> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    auto r = FromBlob<control::RolloutInfo>(st.ColumnBlob(1));
    r.set_id(static_cast<uint64_t>(st.ColumnInt64(0)));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace nxt::server
