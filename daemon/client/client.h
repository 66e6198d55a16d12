// nxt-clientd: wires the event loop, the UDP endpoint, the Session
// (registration), the TransferHost (pushes), the PluginHost (what runs) and
// the control socket (status for the host owner).
#pragma once

#include <memory>
#include <vector>

#include "client/activation_host.h"
#include "client/options.h"
#include "client/package_host.h"
#include "client/plugin_host.h"
#include "client/rollback_floor.h"
#include "client/session.h"
#include "client/transfer_host.h"
#include "control/server.h"
#include "secure/identity.h"
#include "sys/notify.h"
#include "sys/watchdog.h"
#include "wire/counters.h"

namespace nxt::client {

class Client {
 public:
  static Result<std::unique_ptr<Client>> Create(ClientOptions options, sys::ConfigSource source, sys::Logger& log,
                                                sys::Notifier& notifier);
  Status Run() { return loop_->Run(); }

 private:
  Client(ClientOptions options, sys::ConfigSource source, sys::Logger& log, sys::Notifier& notifier,
         std::unique_ptr<sys::EventLoop> loop, net::UdpEndpoint udp, secure::Identity identity);
  Status Start();
  void OnReadable();
  wire::Hello MakeHello() const;
  void OnControl(control::Request req, std::shared_ptr<control::Replier> r);
  void UpdateStatus();
  void Reload();  // SIGHUP
  void ApplyTrust(const ClientOptions& o);
  void ApplyLimits(const ClientOptions& o);
  Status UseServer(const std::string& server, const std::string& server_key);  // "" = none configured: idle
  void OnDatagram(const net::ReceivedDatagram& r);
  void Dispatch(const net::Address& from, const wire::Datagram& inner);
  void HandleLocalFleet(const control::Request& req, control::Replier& r);  // activate / rollback on this host

  ClientOptions opt_;
  sys::ConfigSource source_;
  sys::Logger& log_;
  sys::Notifier& notifier_;
  SystemClock clock_;
  std::unique_ptr<sys::EventLoop> loop_;
  net::UdpEndpoint udp_;
  std::vector<net::ReceivedDatagram> rx_batch_;  // reused: no allocation per readable event
  secure::Identity identity_;
  net::Address server_;  // invalid while no server is configured
  uint64_t instance_;
  TimeUs started_;
  PluginHost plugins_;
  PackageHost packages_;
  artifact::TrustPolicy policy_;
  RollbackFloor floor_;
  std::unique_ptr<Session> session_;
  ActivationHost activation_;
  TransferHost transfers_;
  sys::IoWatch readable_;
  std::unique_ptr<control::ControlServer> control_;
  std::vector<std::unique_ptr<sys::SignalWatch>> signals_;
  std::unique_ptr<sys::WatchdogPinger> watchdog_;
  sys::Timer status_timer_;
  wire::DatagramCounters counters_;
  wire::Datagram outer_, inner_;  // reused per datagram: no allocation in steady state
  uint64_t foreign_ = 0;          // datagrams from addresses other than our server
  uint64_t unauthenticated_ = 0;  // not sealed in our session (spoofed, replayed, corrupted)
};

int Main(int argc, char** argv);

}  // namespace nxt::client
