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
#include "net/udp_endpoint.h"
#include "server/deployment.h"
#include "server/state_db.h"
#include "sys/event_loop.h"
#include "sys/log.h"
#include "transfer/sender.h"

namespace nxt::server {

struct PushOptions {
  uint32_t max_datagram = 1200;  // bytes; 1200 fits the IPv6 minimum MTU
  double max_rate = 0;           // bytes/s per transfer; 0 = as fast as the path allows
};

class PushEngine {
 public:
  // Called on every target state change (to persist it and record the result).
  using TargetChanged = std::function<void(Deployment&, const control::TargetProgress&)>;

  PushEngine(sys::EventLoop& loop, const Clock& clock, sys::Logger& log, PushOptions options,
             TargetChanged on_change);

  // `udp` is the socket the host registered through; it outlives the engine.
  void Start(const std::shared_ptr<Deployment>& dep, const std::string& client_id, net::UdpEndpoint& udp,
             const net::Address& peer);
  // A transfer message (Accept, Decline, Ack, Need, Outcome) arrived.
  void OnDatagram(net::UdpEndpoint& udp, const net::Address& from, const wire::Datagram& d);
  // The host re-registered with a new instance or from a new address.
  void OnHostRestarted(const std::string& client_id, net::UdpEndpoint& udp, const net::Address& peer);
  size_t active() const { return jobs_.size(); }
  uint64_t chunk_size() const;
  void set_max_rate(double bytes_per_second) { opt_.max_rate = bytes_per_second; }  // new transfers

 private:
  struct Job {
    std::shared_ptr<Deployment> dep;
    std::string client;
    net::UdpEndpoint* udp;
    net::Address peer;
    transfer::Sender sender;
    TimeUs started;
    transfer::SenderState last_state;
  };

  void Pump();
  bool FillChunk(Job& job, const transfer::ChunkSend& c, TimeUs now, uint8_t* out, size_t* len);
  bool Flush();
  void WaitWritable(net::UdpEndpoint& udp);
  void SendControl(Job& job);
  void Settle(Job& job, TimeUs now, bool force_notify);
  void ReportProgress();
  uint64_t NewTransferId();

  sys::EventLoop& loop_;
  const Clock& clock_;
  sys::Logger& log_;
  PushOptions opt_;
  TargetChanged on_change_;
  std::unordered_map<uint64_t, std::unique_ptr<Job>> jobs_;
  sys::Timer timer_, tick_;
  std::unique_ptr<sys::IoWatch> writable_;  // armed while a socket buffer is full
  bool pumping_ = false;

  // One reusable batch of outgoing datagrams: no allocation per chunk.
  static constexpr size_t kBatch = 64;
  std::vector<uint8_t> batch_buf_;
  std::vector<net::OutgoingDatagram> batch_;
  net::UdpEndpoint* batch_udp_ = nullptr;
  std::vector<uint8_t> scratch_;
};

}  // namespace nxt::server
