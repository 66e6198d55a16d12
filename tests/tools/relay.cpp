#include "relay.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace nxt::impair {
namespace {

// Datagrams up to the UDP maximum pass through whole; 16 per syscall is
// plenty for a test relay and keeps each socket's buffers at 1 MiB.
net::EndpointOptions RelaySocketOptions() {
  net::EndpointOptions o;
  o.max_datagram_bytes = 65536;
  o.batch_size = 16;
  o.receive_buffer_bytes = 4 << 20;
  o.send_buffer_bytes = 4 << 20;
  return o;
}

// Reads per socket per pass, so one busy socket cannot starve the others.
constexpr int kReadsPerPass = 8;

std::string LinkText(const char* name, const LinkStats& s) {
  return std::string(name) + ": received=" + std::to_string(s.received) +
         " forwarded=" + std::to_string(s.forwarded) + " dropped=" + std::to_string(s.dropped) +
         " duplicated=" + std::to_string(s.duplicated) + " reordered=" + std::to_string(s.reordered) +
         " corrupted=" + std::to_string(s.corrupted) +
         " blackout_dropped=" + std::to_string(s.blackout_dropped) +
         " queue_dropped=" + std::to_string(s.queue_dropped) + " burst_dropped=" + std::to_string(s.burst_dropped) +
         "\n";
}

}  // namespace

Relay::Relay(const RelayConfig& config, const Clock& clock, net::UdpEndpoint listen)
    : config_(config),
      clock_(&clock),
      listen_(std::move(listen)),
      // Distinct, fixed seeds per direction: a run is reproducible from --seed.
      up_(config.up, config.seed * 2 + 1),
      down_(config.down, config.seed * 2 + 2),
      started_(clock.NowUs()) {}

Result<Relay> Relay::Open(const RelayConfig& config, const Clock& clock) {
  if (!config.upstream.valid()) return Error(Errc::kInvalidArgument, "relay: no upstream address");
  NXT_ASSIGN(net::UdpEndpoint listen, net::UdpEndpoint::Bind(config.listen, RelaySocketOptions()));
  return Relay(config, clock, std::move(listen));
}

Result<uint32_t> Relay::FlowFor(const net::Address& client) {
  if (auto it = flow_by_client_.find(client); it != flow_by_client_.end()) return it->second;
  if (flows_.size() >= config_.max_clients) {
    ++refused_clients_;
    return Error(Errc::kBusy, "relay: too many clients");
  }
  net::Address any = config_.upstream.is_ipv4() ? net::Address::Ipv4Any(0) : net::Address::Ipv6Any(0);
  auto upstream = net::UdpEndpoint::Bind(any, RelaySocketOptions());
  if (!upstream) {  // e.g. out of fds: refuse this client, keep serving the others
    ++refused_clients_;
    return std::move(upstream).error();
  }
  auto id = static_cast<uint32_t>(flows_.size());
  flows_.push_back(std::make_unique<Flow>(Flow{client, std::move(upstream).value()}));
  flow_by_client_.emplace(client, id);
  return id;
}

Status Relay::ReadClients(TimeUs now) {
  for (int pass = 0; pass < kReadsPerPass; ++pass) {
    NXT_ASSIGN(size_t n, listen_.ReceiveBatch(batch_, SIZE_MAX));
    if (n == 0) break;
    for (const auto& d : batch_) {
      auto flow = FlowFor(d.from);
      if (!flow) continue;  // counted in refused_clients
      up_.Submit(now, Packet{*flow, {d.data.begin(), d.data.end()}});
    }
  }
  return Ok();
}

Status Relay::ReadUpstream(uint32_t flow, TimeUs now) {
  for (int pass = 0; pass < kReadsPerPass; ++pass) {
    NXT_ASSIGN(size_t n, flows_[flow]->upstream.ReceiveBatch(batch_, SIZE_MAX));
    if (n == 0) break;
    for (const auto& d : batch_) {
      if (!(d.from == config_.upstream)) continue;  // only the server may answer through a flow
      down_.Submit(now, Packet{flow, {d.data.begin(), d.data.end()}});
    }
  }
  return Ok();
}

void Relay::Deliver(TimeUs now) {
  due_.clear();
  up_.TakeDue(now, due_);
  for (const Packet& p : due_) {
    auto sent = flows_[p.flow]->upstream.SendTo(config_.upstream, p.bytes);
    if (!sent.ok() || *sent == 0) ++send_failures_;
  }
  due_.clear();
  down_.TakeDue(now, due_);
  for (const Packet& p : due_) {
    auto sent = listen_.SendTo(flows_[p.flow]->client, p.bytes);
    if (!sent.ok() || *sent == 0) ++send_failures_;
  }
}

TimeUs Relay::UpdateLinkState(TimeUs now) {
  bool down = false;
  TimeUs change = kNever;
  TimeUs period = config_.flap_up_us + config_.flap_down_us;
  if (config_.flap_down_us > 0 && period > 0) {
    uint64_t cycle = (now - started_) / period;
    TimeUs phase = (now - started_) % period;
    if (config_.flap_cycles == 0 || cycle < config_.flap_cycles) {
      down = phase >= config_.flap_up_us;
      change = now + (down ? period - phase : config_.flap_up_us - phase);
      if (down && cycle + 1 > flaps_) flaps_ = cycle + 1;
    }
  }
  up_.SetBlackout(manual_blackout_ || down);
  down_.SetBlackout(manual_blackout_ || down);
  return change;
}

Result<bool> Relay::RunOnce(TimeUs max_wait_us, int wake_fd) {
  TimeUs now = clock_->NowUs();
  TimeUs change = UpdateLinkState(now);
  Deliver(now);
  TimeUs next = std::min({up_.NextDueUs(), down_.NextDueUs(), change});
  TimeUs wait = next == kNever ? max_wait_us : std::min(max_wait_us, next > now ? next - now : 0);

  std::vector<pollfd> fds;
  fds.reserve(flows_.size() + 2);
  fds.push_back({listen_.fd(), POLLIN, 0});
  for (const auto& f : flows_) fds.push_back({f->upstream.fd(), POLLIN, 0});
  if (wake_fd >= 0) fds.push_back({wake_fd, POLLIN, 0});
  timespec ts{static_cast<time_t>(wait / kUsPerSec), static_cast<long>((wait % kUsPerSec) * 1000)};
  int ready = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
  if (ready < 0 && errno != EINTR) return ErrnoError("relay: ppoll");

  now = clock_->NowUs();
  UpdateLinkState(now);
  if (ready > 0) {
    if (fds[0].revents & POLLIN) NXT_TRY(ReadClients(now));
    for (size_t i = 0; i + 1 < fds.size() && i < flows_.size(); ++i)
      if (fds[i + 1].revents & POLLIN) NXT_TRY(ReadUpstream(static_cast<uint32_t>(i), now));
  }
  Deliver(now);
  return ready > 0 && wake_fd >= 0 && (fds.back().revents & POLLIN) != 0;
}

void Relay::ToggleBlackout() {
  manual_blackout_ = !manual_blackout_;
  UpdateLinkState(clock_->NowUs());
}

RelayStats Relay::stats() const {
  return RelayStats{up_.stats(), down_.stats(), flows_.size(), send_failures_, refused_clients_, flaps_};
}

std::string Relay::StatsText() const {
  RelayStats s = stats();
  return LinkText("up", s.up) + LinkText("down", s.down) + "clients=" + std::to_string(s.clients) +
         " send_failures=" + std::to_string(s.send_failures) +
         " refused_clients=" + std::to_string(s.refused_clients) + " flaps=" + std::to_string(s.flaps) + "\n";
}

}  // namespace nxt::impair
