// TransferHost: the client's side of pushes. Answers Offers (accept with
// resume ranges, or decline), writes chunks into a StagingFile through a
// transfer::Receiver, verifies blocks as they complete, acknowledges, and
// when the release is complete and verified finalizes it into the store,
// activates it through the PluginHost and reports the Outcome (resent until
// the server acknowledges it). One transfer at a time: a host installs one
// plug-in at a time, and a new Offer supersedes an older one.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "client/package_host.h"
#include "client/activation_host.h"
#include "client/plugin_host.h"
#include "client/rollback_floor.h"
#include "crypto/x25519.h"
#include "client/staging.h"
#include "net/udp_endpoint.h"
#include "sys/event_loop.h"
#include "sys/log.h"
#include "transfer/receiver.h"

namespace nxt::client {

// Bounds on what a server may make this host do (security issue: a stalled
// or trickling transfer must end, staging must not fill the disk).
struct TransferLimits {
  TimeUs deadline = 3600 * kUsPerSec;     // a whole transfer
  uint64_t min_rate = 4096;               // bytes/s, measured over `rate_window`
  TimeUs rate_window = 60 * kUsPerSec;
  uint64_t staging_quota = 1ULL << 30;    // bytes in staging/ at once
};

struct TransferCounters {
  uint64_t transfers = 0, installed = 0, failed = 0, corrupt_blocks = 0, malformed_chunks = 0, duplicates = 0;
};

class TransferHost {
 public:
  // `send` seals a datagram into the session with the server and sends it.
  TransferHost(sys::EventLoop& loop, std::function<void(const wire::Datagram&)> send, const Clock& clock,
               sys::Logger& log, std::string state_dir, PluginHost& plugins, const artifact::TrustPolicy& policy,
               RollbackFloor& floor, const crypto::X25519KeyPair& identity, ActivationHost& activation,
               std::function<void()> on_running_changed);

  void OnDatagram(const net::Address& from, const wire::Datagram& d);
  void EndOfBatch();  // flush acks after a receive batch
  const TransferCounters& counters() const { return counters_; }
  bool busy() const { return active_ != nullptr; }
  void set_limits(TransferLimits l) { limits_ = l; }
  // Where .deb releases go (transfer_host_package.cpp); none: they are refused.
  void set_packages(PackageHost* packages) { packages_ = packages; }
  std::string Describe() const;  // one line for status

 private:
  struct Active {
    wire::Offer offer;
    net::Address peer;
    transfer::Receiver rx;
    StagingFile staging;
    std::deque<uint64_t> pending_blocks;
    TimeUs last_checkpoint;
    TimeUs last_byte = 0;
    std::map<uint64_t, int> block_failures;  // a block that keeps failing means a bad release
    TimeUs started = 0;
    TimeUs window_start = 0;
    uint64_t window_chunks = 0;  // chunks held at window_start
  };
  struct PendingOutcome {
    wire::Datagram d;
    net::Address peer;
    int tries = 0;
    TimeUs next = 0;
  };

  void OnOffer(const net::Address& from, const wire::Offer& offer);
  void OnChunk(const wire::Datagram& d);
  void Verify();
  void Finish();
  void FinishPackage(const std::string& store_path);
  Status AcceptsKind(const wire::Manifest& m) const;
  void Fail(const std::string& reason);
  void Decline(const net::Address& to, uint64_t transfer, wire::DeclineReason reason, const std::string& text);
  void Report(const net::Address& to, uint64_t transfer, wire::OutcomeStatus status, const std::string& reason,
              uint32_t reload_us);
  void Send(const net::Address& to, const wire::Datagram& d);
  void SendControl();
  void OnTimer();
  void ArmTimer();
  uint64_t StagingBytes() const;
  bool CheckLimits(TimeUs now);  // false: the transfer was ended

  sys::EventLoop& loop_;
  std::function<void(const wire::Datagram&)> send_;
  const Clock& clock_;
  sys::Logger& log_;
  std::string state_dir_, staging_dir_, store_dir_;
  PluginHost& plugins_;
  const artifact::TrustPolicy& policy_;
  RollbackFloor& floor_;
  const crypto::X25519KeyPair& identity_;  // unwraps content keys of releases encrypted to this host
  ActivationHost& activation_;             // stage or install a verified release
  std::function<void()> on_running_changed_;
  std::unique_ptr<Active> active_;
  std::map<uint64_t, PendingOutcome> outcomes_;
  sys::Timer timer_;
  TransferCounters counters_;
  TransferLimits limits_;
  PackageHost* packages_ = nullptr;
};

}  // namespace nxt::client
