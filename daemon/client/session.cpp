#include "client/session.h"

#include <algorithm>

#include "crypto/digest.h"
#include "wire/codec.h"

namespace nxt::client {
namespace {
constexpr TimeUs kMaxBackoff = 30 * kUsPerSec;
constexpr sys::MessageId kMsgRegistered("7c1e5a3b9d2f4e60a8b7c6d5e4f3a220");
}  // namespace

Session::Session(sys::EventLoop& loop, net::UdpEndpoint& udp, const Clock& clock, sys::Logger& log,
                 net::Address server, std::function<wire::Hello()> make_hello)
    : loop_(loop), udp_(udp), clock_(clock), log_(log), server_(std::move(server)),
      make_hello_(std::move(make_hello)), timer_(loop, [this] { OnTimer(); }) {}

void Session::SendHello() {
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  *d.mutable_hello() = make_hello_();
  auto bytes = wire::EncodeDatagram(d);
  if (bytes.ok()) {
    auto sent = udp_.SendTo(server_, crypto::AsBytes(*bytes));
    if (!sent.ok()) log_.Debug("hello to " + server_.ToString() + " failed: " + sent.error().message());
  }
  timer_.Arm(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void Session::OnTimer() {
  if (registered_ && clock_.UnixMs() >= lease_expires_ms_) {
    registered_ = false;
    log_.Warning("lease from " + server_.ToString() + " expired; registering again");
  }
  SendHello();
}

void Session::OnWelcome(const wire::Welcome& welcome) {
  uint32_t lease = std::max<uint32_t>(welcome.lease_ms(), 3000);
  bool first = !registered_ || welcome.server_instance() != server_instance_;
  registered_ = true;
  server_instance_ = welcome.server_instance();
  lease_expires_ms_ = clock_.UnixMs() + lease;
  if (first)
    log_.Info(kMsgRegistered, "registered with " + server_.ToString() + ", lease " + std::to_string(lease / 1000) + " s",
              {{"NXT_SERVER", server_.ToString()}});
  backoff_ = kUsPerSec;
  timer_.Arm(static_cast<TimeUs>(lease) * kUsPerMs / 3);  // renew at a third of the lease
}

}  // namespace nxt::client
