// nxt-serverd: owns the event loop, the UDP endpoints, the registry, the
// artifact store, the push engine and the control socket, and wires them
// together. Registration (Hello/Welcome) is answered here; transfer traffic
// goes to the PushEngine, Reports to HostRequests; nxtctl requests to the
// command handlers. Its methods live in server.cpp (loop, datagrams),
// server_deployments.cpp (deployment lifecycle), control_commands.cpp,
// fleet.cpp (desired state, catch-up, query/activate/rollback, history) and
// rollout.cpp (waves).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "artifact/store.h"
#include "base/clock.h"
#include "control/server.h"
#include "net/udp_endpoint.h"
#include "crypto/ed25519.h"
#include "secure/identity.h"
#include "server/desired_state.h"
#include "server/fleet_db.h"
#include "server/host_requests.h"
#include "server/options.h"
#include "server/peers.h"
#include "server/push_engine.h"
#include "server/registry.h"
#include "server/release_push.h"
#include "server/state_db.h"
#include "sys/event_loop.h"
#include "sys/log.h"
#include "sys/notify.h"
#include "sys/watchdog.h"
#include "wire/counters.h"

namespace nxt::server {

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(ServerOptions options, sys::ConfigSource source, sys::Logger& log,
                                                sys::Notifier& notifier);
  ~Server();
  Status Run();

 private:
  Server(ServerOptions options, sys::ConfigSource source, sys::Logger& log, sys::Notifier& notifier,
         std::unique_ptr<sys::EventLoop> loop, StateDb db, secure::Identity identity);
  Status Start();
  Status BindEndpoints();
  Status StartControl();
  void OnReadable(size_t endpoint);
  void OnDatagram(net::UdpEndpoint& udp, const net::Address& from, const wire::Datagram& d);
  void OnSealed(net::UdpEndpoint& udp, const net::Address& from, const secure::SealedView& view);
  void OnHello(Peer& peer, const wire::Hello& hello);
  void ApplyPolicy();
  void ResumeUnfinished();
  std::string SealedPath(const std::string& sha_hex, uint64_t deployment) const;
  void UpdateStatus();
  void Reload();  // SIGHUP

  // Control commands.
  void OnControl(control::Request req, UniqueFd fd, std::shared_ptr<control::Replier> replier);
  void HandleStatus(control::Replier& r);
  void HandleClients(control::Replier& r);
  void HandlePush(const control::Push& push, UniqueFd fd, const std::shared_ptr<control::Replier>& r);
  void HandleEnrollment(const google::protobuf::RepeatedPtrField<std::string>& ids, wire::Enrollment e,
                        control::Replier& r);
  void StartDeployment(const std::shared_ptr<Deployment>& dep);
  // Multi-platform releases (release_command.cpp).
  void HandleReleasePush(const control::Push& push, UniqueFd fd, const std::shared_ptr<control::Replier>& r);
  Result<std::vector<TargetPlatform>> ReleaseTargets(const control::Push& push);
  Result<PreparedPart> PrepareReleasePart(const control::Push& push, const control::PlatformArtifact& part, int fd);
  Result<std::shared_ptr<Deployment>> CreateReleaseDeployment(const control::Push& push,
                                                              const control::PlatformArtifact& part,
                                                              const PreparedPart& prepared,
                                                              const std::vector<std::string>& targets);
  Result<std::string> ReleaseManifest(const control::Push& push, const artifact::StoredArtifact& art);
  void OnTargetChanged(Deployment& dep, const control::TargetProgress& t);

  // Fleet (fleet.cpp): desired state, catch-up pushes, live requests, history.
  struct Release {
    DeploymentRecord rec;
    wire::ArtifactInfo info;  // as signed, with its sha256
  };
  const Release* FindRelease(uint64_t deployment);
  Sync SyncOf(const RegisteredClient& c, const wire::ArtifactInfo& running, const wire::ArtifactInfo& staged,
              const Release** release);
  control::ClientInfo DescribeClient(const RegisteredClient& c);
  void OnHelloFleet(const wire::Hello& hello, const HelloResult& result);
  void CatchUp(const std::string& host, const std::string& origin);
  Result<std::shared_ptr<Deployment>> BuildDeployment(const DeploymentRecord& rec, const std::vector<std::string>& ids);
  Result<std::shared_ptr<Deployment>> Relaunch(uint64_t base, const std::vector<std::string>& hosts,
                                               const std::string& origin);
  Result<std::vector<std::string>> ResolveTargets(const google::protobuf::RepeatedPtrField<std::string>& to,
                                                  const std::string& group, bool active_only);
  void Record(uint64_t deployment, const std::string& client, std::string action, std::string result,
              std::string detail, const wire::ArtifactInfo& artifact);
  Status RecordDesired(const control::Push& push, const std::vector<std::string>& targets, uint64_t deployment);
  void OnDeploymentDone(uint64_t id);
  void HandleGroups(const control::Groups& g, control::Replier& r);
  void HandleQuery(const control::FleetQuery& q, const std::shared_ptr<control::Replier>& r);
  void HandleReconcile(const control::Reconcile& q, control::Replier& r);
  void HandleSwap(const control::Request& req, const std::shared_ptr<control::Replier>& r);  // activate | rollback
  void HandleHistory(const control::HistoryGet& h, control::Replier& r);

  // Rollouts (rollout.cpp): a push wave by wave.
  void StartRollout(const control::Push& push, const std::vector<std::string>& targets, DeploymentRecord rec,
                    std::shared_ptr<artifact::StoredArtifact> art, const std::shared_ptr<control::Replier>& r);
  void HandleRollout(const control::Rollout& cmd, control::Replier& r);
  Status LaunchWave(control::RolloutInfo& ro);
  void AdvanceRollout(uint64_t deployment);
  void ResumeRollouts();

  ServerOptions opt_;
  sys::ConfigSource source_;
  sys::Logger& log_;
  sys::Notifier& notifier_;
  SystemClock clock_;
  std::unique_ptr<sys::EventLoop> loop_;
  StateDb db_;
  FleetDb fleet_db_;
  DesiredState desired_;
  secure::Identity identity_;
  std::optional<crypto::Ed25519KeyPair> publisher_;  // signs releases pushed as plain files
  Peers peers_;
  Registry registry_;
  artifact::ArtifactStore store_;
  std::vector<std::unique_ptr<net::UdpEndpoint>> endpoints_;
  std::vector<std::unique_ptr<sys::IoWatch>> watches_;
  std::unique_ptr<PushEngine> engine_;
  std::unique_ptr<control::ControlServer> control_;
  std::vector<std::unique_ptr<sys::SignalWatch>> signals_;
  std::unique_ptr<sys::WatchdogPinger> watchdog_;
  sys::Timer status_timer_;
  std::map<uint64_t, std::shared_ptr<Deployment>> deployments_;  // running ones
  std::unique_ptr<HostRequests> requests_;
  std::map<uint64_t, control::RolloutInfo> rollouts_;  // every rollout, by id
  std::map<uint64_t, Release> releases_;             // cache: deployment id -> what it ships
  std::set<std::string> seen_;                       // hosts heard from since this process started
  wire::DatagramCounters counters_;
  wire::Datagram inner_;
  uint64_t unauthenticated_ = 0, handshakes_ = 0, not_approved_ = 0;
  uint64_t instance_;
  TimeUs started_;
};

int Main(int argc, char** argv);

}  // namespace nxt::server
