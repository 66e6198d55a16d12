// nxt-serverd: owns the event loop, the UDP endpoints, the registry, the
// artifact store, the push engine and the control socket, and wires them
// together. Registration (Hello/Welcome) is answered here; transfer traffic
// goes to the PushEngine; nxtctl requests to the command handlers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "artifact/store.h"
#include "base/clock.h"
#include "control/server.h"
#include "net/udp_endpoint.h"
#include "crypto/ed25519.h"
#include "secure/identity.h"
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

  ServerOptions opt_;
  sys::ConfigSource source_;
  sys::Logger& log_;
  sys::Notifier& notifier_;
  SystemClock clock_;
  std::unique_ptr<sys::EventLoop> loop_;
  StateDb db_;
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
  wire::DatagramCounters counters_;
  wire::Datagram inner_;
  uint64_t unauthenticated_ = 0, handshakes_ = 0, not_approved_ = 0;
  uint64_t instance_;
  TimeUs started_;
};

int Main(int argc, char** argv);

}  // namespace nxt::server
