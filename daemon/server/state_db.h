// The server's durable state in SQLite (state.db, WAL): registered clients,
// deployments and each target's outcome. Everything a restart must not forget.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "nxt/control.pb.h"
#include "nxt/wire.pb.h"
#include "sqlite/database.h"

namespace nxt::server {

struct ClientRecord {
  std::string id;
  std::string address;          // last source address, "127.0.0.1:40000"
  std::string platform;
  wire::ArtifactInfo running;
  wire::ArtifactInfo staged;
  uint64_t instance = 0;
  uint64_t last_seen_ms = 0;    // unix ms
  uint64_t lease_expires_ms = 0;
  std::string last_result;
  std::string key;                 // 32-byte X25519 identity proven in its session
  wire::Enrollment enrollment = wire::ENROLLMENT_PENDING;
};

struct TargetRecord {
  uint64_t deployment = 0;
  std::string client_id;
  control::TargetState state = control::TARGET_PENDING;
  std::string reason;
};

struct DeploymentRecord {
  uint64_t id = 0;
  std::string sha256_hex;
  std::string name;
  uint64_t created_ms = 0;
  wire::Activation activation = wire::ACTIVATION_IMMEDIATE;
  std::string signed_manifest;  // what the hosts get as the manifest (SignedManifest bytes)
  std::string content_key;      // 32 bytes when the payload is encrypted to each host's key
};

class StateDb {
 public:
  static Result<StateDb> Open(const std::string& path);

  Result<std::vector<ClientRecord>> LoadClients();
  Status SaveClient(const ClientRecord& c);

  Result<uint64_t> CreateDeployment(const DeploymentRecord& d, const std::vector<std::string>& targets);
  Status UpdateTarget(uint64_t deployment, const std::string& client_id, control::TargetState state,
                      const std::string& reason, uint64_t now_ms);
  Result<DeploymentRecord> LoadDeployment(uint64_t id);
  // Targets of deployments that were still running when the server stopped.
  Result<std::vector<std::pair<DeploymentRecord, std::vector<TargetRecord>>>> LoadUnfinished();
  // For FleetDb, which keeps the fleet's tables in the same file.
  sqlite::Database& db() { return db_; }

 private:
  explicit StateDb(sqlite::Database db) : db_(std::move(db)) {}
  sqlite::Database db_;
};

bool IsTerminal(control::TargetState s);

}  // namespace nxt::server
