#include "server/state_db.h"

#include <array>
#include <string_view>

#include "base/crash_point.h"
#include "sqlite/migrate.h"
#include "sqlite/transaction.h"

namespace nxt::server {
namespace {

constexpr std::array<std::string_view, 5> kSchema = {
    R"sql(
CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  platform TEXT NOT NULL,
  running BLOB,                 -- serialized nxt.wire.ArtifactInfo
  staged BLOB,
  instance INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  lease_expires_ms INTEGER NOT NULL,
  last_result TEXT NOT NULL DEFAULT ''
);
CREATE TABLE deployments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  activation INTEGER NOT NULL
);
CREATE TABLE targets (
  deployment INTEGER NOT NULL REFERENCES deployments(id),
  client_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  updated_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (deployment, client_id)
);
)sql",
    // 2: security issue — each client's identity key and enrollment state.
    R"sql(
ALTER TABLE clients ADD COLUMN key BLOB;
ALTER TABLE clients ADD COLUMN enrollment INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: the signed manifest each deployment ships, so a resumed one ships the same.
    R"sql(
ALTER TABLE deployments ADD COLUMN signed_manifest BLOB;
)sql",
    // 4: the content key of an encrypted deployment (its sealed payload is
    // re-derivable from it after a restart). As sensitive as the store itself.
    R"sql(
ALTER TABLE deployments ADD COLUMN content_key BLOB;
)sql",
    // 5: fleet issue — groups, the desired release per scope, history, rollouts.
    R"sql(
CREATE TABLE groups (
  name TEXT NOT NULL,
  client_id TEXT NOT NULL DEFAULT '',   -- '' keeps an empty group
  PRIMARY KEY (name, client_id)
);
CREATE TABLE desired (
  scope TEXT PRIMARY KEY,               -- '*' | 'host:ID' | 'group:NAME'
  deployment INTEGER NOT NULL,          -- 0 = hold (after a rollback): push nothing
  seq INTEGER NOT NULL,                 -- newest entry wins
  set_ms INTEGER NOT NULL
);
CREATE TABLE history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  deployment INTEGER NOT NULL DEFAULT 0,
  client_id TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  result TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  artifact BLOB                         -- serialized nxt.wire.ArtifactInfo
);
CREATE INDEX history_by_client ON history (client_id, id);
CREATE TABLE rollouts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  info BLOB NOT NULL                    -- serialized nxt.control.RolloutInfo
);
)sql"};

std::string Blob(const google::protobuf::MessageLite& m) { return m.SerializeAsString(); }

template <typename T>
T FromBlob(const std::vector<uint8_t>& bytes) {
  T m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) m.Clear();
  return m;
}

}  // namespace

bool IsTerminal(control::TargetState s) {
  return s == control::TARGET_INSTALLED || s == control::TARGET_STAGED || s == control::TARGET_FAILED ||
         s == control::TARGET_DECLINED;
}

Result<StateDb> StateDb::Open(const std::string& path) {
  NXT_ASSIGN(sqlite::Database db, sqlite::Database::Open(path));
  NXT_TRY(sqlite::Migrate(db, kSchema));
  return StateDb(std::move(db));
}

Result<std::vector<ClientRecord>> StateDb::LoadClients() {
  NXT_ASSIGN(auto st, db_.Prepare(
      "SELECT id, address, platform, running, staged, instance, last_seen_ms, lease_expires_ms, last_result, key, "
      "enrollment FROM clients ORDER BY id"));
  std::vector<ClientRecord> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    ClientRecord c;
    c.id = st.ColumnText(0);
    c.address = st.ColumnText(1);
    c.platform = st.ColumnText(2);
    c.running = FromBlob<wire::ArtifactInfo>(st.ColumnBlob(3));
    c.staged = FromBlob<wire::ArtifactInfo>(st.ColumnBlob(4));
    c.instance = static_cast<uint64_t>(st.ColumnInt64(5));
    c.last_seen_ms = static_cast<uint64_t>(st.ColumnInt64(6));
    c.lease_expires_ms = static_cast<uint64_t>(st.ColumnInt64(7));
    c.last_result = st.ColumnText(8);
    auto key = st.ColumnBlob(9);
    c.key.assign(key.begin(), key.end());
    c.enrollment = static_cast<wire::Enrollment>(st.ColumnInt64(10));
    out.push_back(std::move(c));
  }
  return out;
}

Status StateDb::SaveClient(const ClientRecord& c) {
  NXT_ASSIGN(auto st, db_.Prepare(
      "INSERT INTO clients (id, address, platform, running, staged, instance, last_seen_ms, lease_expires_ms, "
      "last_result, key, enrollment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(id) DO UPDATE "
      "SET address=?2, platform=?3, running=?4, staged=?5, instance=?6, last_seen_ms=?7, lease_expires_ms=?8, "
      "last_result=?9, key=?10, enrollment=?11"));
  NXT_TRY(st.Bind(1, c.id));
  NXT_TRY(st.Bind(2, c.address));
  NXT_TRY(st.Bind(3, c.platform));
  NXT_TRY(st.BindBlob(4, Blob(c.running)));
  NXT_TRY(st.BindBlob(5, Blob(c.staged)));
  NXT_TRY(st.Bind(6, static_cast<int64_t>(c.instance)));
  NXT_TRY(st.Bind(7, static_cast<int64_t>(c.last_seen_ms)));
  NXT_TRY(st.Bind(8, static_cast<int64_t>(c.lease_expires_ms)));
  NXT_TRY(st.Bind(9, c.last_result));
  NXT_TRY(st.BindBlob(10, c.key));
  NXT_TRY(st.Bind(11, static_cast<int64_t>(c.enrollment)));
  return st.Run();
}

Result<uint64_t> StateDb::CreateDeployment(const DeploymentRecord& d, const std::vector<std::string>& targets) {
  NXT_ASSIGN(auto tx, sqlite::Transaction::Begin(db_));
  NXT_ASSIGN(auto st, db_.Prepare(
      "INSERT INTO deployments (sha256, name, created_ms, activation, signed_manifest, content_key) "
      "VALUES (?, ?, ?, ?, ?, ?)"));
  NXT_TRY(st.BindAll(std::string_view(d.sha256_hex), std::string_view(d.name), static_cast<int64_t>(d.created_ms),
                     static_cast<int64_t>(d.activation)));
  NXT_TRY(st.BindBlob(5, d.signed_manifest));
  NXT_TRY(st.BindBlob(6, d.content_key));
  NXT_TRY(st.Run());
  uint64_t id = static_cast<uint64_t>(db_.LastInsertRowId());
  NXT_ASSIGN(auto ins, db_.Prepare("INSERT INTO targets (deployment, client_id, state, updated_ms) VALUES (?, ?, ?, ?)"));
  for (const std::string& t : targets) {
    ins.Reset();
    NXT_TRY(ins.BindAll(static_cast<int64_t>(id), std::string_view(t), int64_t{control::TARGET_PENDING},
                        static_cast<int64_t>(d.created_ms)));
    NXT_TRY(ins.Run());
  }
  NXT_CRASH_POINT("server.db_deployment");  // inside the transaction, before COMMIT
  NXT_TRY(tx.Commit());
  return id;
}

Status StateDb::UpdateTarget(uint64_t deployment, const std::string& client_id, control::TargetState state,
                             const std::string& reason, uint64_t now_ms) {
  NXT_ASSIGN(auto st, db_.Prepare(
      "UPDATE targets SET state = ?, reason = ?, updated_ms = ? WHERE deployment = ? AND client_id = ?"));
  NXT_TRY(st.BindAll(static_cast<int64_t>(state), std::string_view(reason), static_cast<int64_t>(now_ms),
                     static_cast<int64_t>(deployment), std::string_view(client_id)));
  NXT_CRASH_POINT("server.db_target");
  return st.Run();
}

namespace {
// Columns 0-6 of every query that reads a deployment (ReadDeployment).
constexpr std::string_view kDeploymentColumns =
    "d.id, d.sha256, d.name, d.created_ms, d.activation, d.signed_manifest, d.content_key";

DeploymentRecord ReadDeployment(const sqlite::Statement& st) {
  DeploymentRecord d;
  d.id = static_cast<uint64_t>(st.ColumnInt64(0));
  d.sha256_hex = st.ColumnText(1);
  d.name = st.ColumnText(2);
  d.created_ms = static_cast<uint64_t>(st.ColumnInt64(3));
  d.activation = static_cast<wire::Activation>(st.ColumnInt64(4));
  auto sm = st.ColumnBlob(5);
  d.signed_manifest.assign(sm.begin(), sm.end());
  auto ck = st.ColumnBlob(6);
  d.content_key.assign(ck.begin(), ck.end());
  return d;
}
}  // namespace

Result<DeploymentRecord> StateDb::LoadDeployment(uint64_t id) {
  NXT_ASSIGN(auto st, db_.Prepare("SELECT " + std::string(kDeploymentColumns) + " FROM deployments d WHERE d.id = ?"));
  NXT_TRY(st.BindAll(static_cast<int64_t>(id)));
  NXT_ASSIGN(bool row, st.Step());
  if (!row) return Error(Errc::kNotFound, "no deployment " + std::to_string(id));
  return ReadDeployment(st);
}

Result<std::vector<std::pair<DeploymentRecord, std::vector<TargetRecord>>>> StateDb::LoadUnfinished() {
  NXT_ASSIGN(auto st, db_.Prepare(
      "SELECT " + std::string(kDeploymentColumns) + ", t.client_id, t.state, t.reason "
      "FROM deployments d JOIN targets t ON t.deployment = d.id "
      "WHERE t.state NOT IN (?, ?, ?, ?) ORDER BY d.id, t.client_id"));
  NXT_TRY(st.BindAll(int64_t{control::TARGET_INSTALLED}, int64_t{control::TARGET_STAGED},
                     int64_t{control::TARGET_FAILED}, int64_t{control::TARGET_DECLINED}));
  std::vector<std::pair<DeploymentRecord, std::vector<TargetRecord>>> out;
  while (true) {
    NXT_ASSIGN(bool row, st.Step());
    if (!row) break;
    uint64_t id = static_cast<uint64_t>(st.ColumnInt64(0));
    if (out.empty() || out.back().first.id != id) out.push_back({ReadDeployment(st), {}});
    TargetRecord t;
    t.deployment = id;
    t.client_id = st.ColumnText(7);
    t.state = static_cast<control::TargetState>(st.ColumnInt64(8));
    t.reason = st.ColumnText(9);
    out.back().second.push_back(std::move(t));
  }
  return out;
}

}  // namespace nxt::server
