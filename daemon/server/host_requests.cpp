#include "server/host_requests.h"

#include <algorithm>
#include <random>

namespace nxt::server {
namespace {
constexpr TimeUs kResend = 300 * kUsPerMs;

bool Complete(const HostRequests::Answers& a) {
  return std::all_of(a.begin(), a.end(), [](const auto& kv) { return kv.second.has_value(); });
}
}  // namespace

HostRequests::HostRequests(sys::EventLoop& loop, const Clock& clock, Peers& peers)
    : loop_(loop), clock_(clock), peers_(peers), timer_(loop, [this] { Tick(); }) {}

void HostRequests::Ask(const std::vector<std::string>& hosts, wire::Datagram::BodyCase kind, TimeUs timeout,
                       Done done) {
  // Random ids: a Report meant for an earlier server process never matches.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t id;
  do id = rng(); while (id == 0 || pending_.count(id));
  Pending p{kind, {}, clock_.NowUs() + timeout, std::move(done)};
  for (const std::string& h : hosts) p.answers[h];
  auto& placed = pending_.emplace(id, std::move(p)).first->second;
  Send(id, placed);
  if (Complete(placed.answers)) return timer_.Arm(0);  // nobody to ask
  Arm();
}

void HostRequests::Send(uint64_t id, Pending& p) {
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  switch (p.kind) {
    case wire::Datagram::kActivate: d.mutable_activate()->set_request(id); break;
    case wire::Datagram::kRollback: d.mutable_rollback()->set_request(id); break;
    default: d.mutable_query()->set_query(id); break;
  }
  for (const auto& [host, answer] : p.answers) {
    if (answer) continue;
    if (Peer* peer = peers_.ForClient(host)) (void)peers_.Send(*peer, d);  // no session: it stays unanswered
  }
}

void HostRequests::OnReport(const std::string& client_id, const wire::Report& r) {
  auto it = pending_.find(r.query());
  if (it == pending_.end()) return;
  auto host = it->second.answers.find(client_id);
  if (host == it->second.answers.end()) return;  // a host may only answer for itself
  host->second = r;
  if (Complete(it->second.answers)) timer_.Arm(0);
}

void HostRequests::Tick() {
  TimeUs now = clock_.NowUs();
  std::vector<Pending> finished;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (Complete(it->second.answers) || now >= it->second.deadline) {
      finished.push_back(std::move(it->second));
      it = pending_.erase(it);
      continue;
    }
    Send(it->first, it->second);
    ++it;
  }
  Arm();
  for (Pending& p : finished) p.done(std::move(p.answers));  // may Ask again
}

void HostRequests::Arm() {
  if (pending_.empty()) return timer_.Cancel();
  TimeUs now = clock_.NowUs(), next = now + kResend;
  for (const auto& [id, p] : pending_) next = std::min(next, p.deadline);
  timer_.Arm(next > now ? next - now : 0);
}

}  // namespace nxt::server
