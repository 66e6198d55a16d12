// HostRequests: live questions to hosts (Query, Activate, Rollback), sealed
// in each host's session like everything else, resent every 300 ms until the
// host's Report arrives or the deadline passes; then the caller gets every
// host's answer, or nullopt for the unreachable ones. The hosts answer a
// resent Activate/Rollback without acting twice (ActivationHost).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "nxt/wire.pb.h"
#include "server/peers.h"
#include "sys/event_loop.h"

namespace nxt::server {

class HostRequests {
 public:
  using Answers = std::map<std::string, std::optional<wire::Report>>;
  using Done = std::function<void(Answers)>;

  HostRequests(sys::EventLoop& loop, const Clock& clock, Peers& peers);

  // `kind`: wire::Datagram::kQuery, kActivate or kRollback.
  void Ask(const std::vector<std::string>& hosts, wire::Datagram::BodyCase kind, TimeUs timeout, Done done);
  // A Report arrived from an authenticated, registered host.
  void OnReport(const std::string& client_id, const wire::Report& r);

 private:
  struct Pending {
    wire::Datagram::BodyCase kind;
    Answers answers;
    TimeUs deadline;
    Done done;
  };
  void Send(uint64_t id, Pending& p);
  void Tick();
  void Arm();

  sys::EventLoop& loop_;
  const Clock& clock_;
  Peers& peers_;
  std::map<uint64_t, Pending> pending_;
  sys::Timer timer_;
};

}  // namespace nxt::server
