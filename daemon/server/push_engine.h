// The push engine: every running transfer of the server, one Sender each,
// driven from one event loop. It reads chunk bytes from the artifact on
// demand (pread; never a copy of the file in memory), sends them in batches
// (sendmmsg), dispatches acks and outcomes to the right transfer, and turns
// each transfer's state into its deployment target's progress.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "net/send_queue.h"
#include "net/udp_endpoint.h"
#include "server/chunk_reader.h"
#include "server/deployment.h"
#include "server/peers.h"
#include "server/state_db.h"
#include "sys/event_loop.h"
#include "sys/log.h"
#include "transfer/sender.h"

namespace nxt::server {

struct PushOptions {
  uint32_t max_datagram = 1200;  // bytes; 1200 fits the IPv6 minimum MTU
  double max_rate = 0;           // bytes/s per transfer; 0 = as fast as the path allows
  TimeUs host_wait = 120 * kUsPerSec;  // how long a transfer waits for a host without a session
  bool gso = true;               // send equal-sized datagrams as UDP GSO runs
};

class PushEngine {
 public:
  // Called on every target state change (to persist it and record the result).
  using TargetChanged = std::function<void(Deployment&, const control::TargetProgress&)>;

  // Everything goes out sealed in the host's newest session (`peers`).
  PushEngine(sys::EventLoop& loop, const Clock& clock, sys::Logger& log, Peers& peers, PushOptions options,
             TargetChanged on_change);

  // `client_key`: the host's X25519 identity, for wrapping an encrypted
  // deployment's content key to it.
  void Start(const std::shared_ptr<Deployment>& dep, const std::string& client_id, const std::string& client_key);
  // A transfer message (Accept, Decline, Ack, Need, Outcome) arrived from `peer`.
  void OnDatagram(Peer& peer, const wire::Datagram& d);
  // The host re-registered with a new instance: offer again.
  void OnHostRestarted(const std::string& client_id);
  // The host has a session again (e.g. after a server restart): its waiting
  // transfers go on now instead of at their next timer.
  void OnHostReachable(const std::string& client_id);
  // The host was revoked: its transfers end now.
  void Abort(const std::string& client_id, const std::string& reason);
  size_t active() const { return jobs_.size(); }
  bool HasJob(const std::string& client_id) const;
  uint64_t chunk_size() const;
  void set_max_rate(double bytes_per_second) { opt_.max_rate = bytes_per_second; }  // new transfers

 private:
  struct Job {
    std::shared_ptr<Deployment> dep;
    std::string client;
    transfer::Sender sender;
    TimeUs started;
    transfer::SenderState last_state;
    TimeUs waiting_since = 0;  // no session with the host since then (0: connected)
    ChunkReader reader;
  };

  void Pump();
  bool FillChunk(Job& job, Peer& peer, const transfer::ChunkSend& c, TimeUs now, uint8_t* out, size_t* len);
  bool Flush();
  void WaitWritable(net::UdpEndpoint& udp);
  void SendControl(Job& job);
  void Settle(Job& job, TimeUs now, bool force_notify);
  void FailJob(Job& job, TimeUs now, const std::string& reason);
  void ReportProgress();
  uint64_t NewTransferId();

  sys::EventLoop& loop_;
  const Clock& clock_;
  sys::Logger& log_;
  Peers& peers_;
  PushOptions opt_;
  TargetChanged on_change_;
  std::unordered_map<uint64_t, std::unique_ptr<Job>> jobs_;
  sys::Timer timer_, tick_;
  std::unique_ptr<sys::IoWatch> writable_;  // armed while a socket buffer is full
  bool pumping_ = false;

  // One reusable queue of outgoing datagrams, sent as GSO runs: no
  // allocation per chunk, one syscall per 256 datagrams at most.
  static constexpr size_t kQueueDatagrams = 256;
  net::SendQueue queue_;
  net::UdpEndpoint* queue_udp_ = nullptr;
  std::vector<uint8_t> inner_;
};

}  // namespace nxt::server
