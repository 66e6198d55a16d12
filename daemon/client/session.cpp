#include "client/session.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/key_text.h"
#include "wire/codec.h"

namespace nxt::client {
namespace {
constexpr TimeUs kMaxBackoff = 30 * kUsPerSec;
constexpr int kUnansweredBeforeHandshake = 2;
constexpr size_t kMaxInner = 65000;
constexpr sys::MessageId kMsgRegistered("7c1e5a3b9d2f4e60a8b7c6d5e4f3a220");
constexpr sys::MessageId kMsgPending("7c1e5a3b9d2f4e60a8b7c6d5e4f3a221");
constexpr sys::MessageId kMsgHandshakeFailed("7c1e5a3b9d2f4e60a8b7c6d5e4f3a222");
}  // namespace

Session::Session(sys::EventLoop& loop, net::UdpEndpoint& udp, const Clock& clock, sys::Logger& log,
                 net::Address server, SessionKeysConfig keys, std::function<wire::Hello()> make_hello)
    : loop_(loop), udp_(udp), clock_(clock), log_(log), server_(std::move(server)), keys_(std::move(keys)),
      make_hello_(std::move(make_hello)), timer_(loop, [this] { OnTimer(); }) {}

void Session::SendClear(const wire::Datagram& d) {
  auto bytes = wire::EncodeDatagram(d);
  if (bytes.ok()) (void)udp_.SendTo(server_, crypto::AsBytes(*bytes));
}

void Session::Send(const wire::Datagram& d) {
  if (!secure_) return;
  std::string inner;
  if (!wire::EncodeDatagram(d, &inner).ok()) return;
  scratch_.resize(inner.size() + secure::kSealOverhead);
  auto n = secure_->Seal(crypto::AsBytes(inner), scratch_);
  if (!n.ok()) return;
  auto sent = udp_.SendTo(server_, {scratch_.data(), *n});
  if (!sent.ok()) log_.Debug("send to " + server_.ToString() + " failed: " + sent.error().message());
}

void Session::Handshake() {
  auto hs = secure::ClientHandshake::Start(*keys_.identity);
  if (!hs.ok()) {
    log_.Error("cannot start a handshake: " + hs.error().message());
  } else {
    handshake_.emplace(std::move(hs).value());
    wire::Datagram d;
    d.set_version(wire::PROTOCOL_VERSION_CURRENT);
    *d.mutable_handshake_init() = handshake_->init();
    SendClear(d);
  }
  timer_.Arm(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void Session::OnHandshakeResponse(const wire::HandshakeResponse& r) {
  if (!handshake_) return;
  auto keys = handshake_->Finish(r, keys_.pinned);
  if (!keys.ok()) {
    ++rejected_;
    log_.Warning(kMsgHandshakeFailed, "handshake with " + server_.ToString() + " refused: " + keys.error().message(),
                 {{"NXT_SERVER", server_.ToString()}});
    return;  // keep waiting: a forged response must not end a real handshake
  }
  if (!keys_.pinned) {
    auto key = crypto::X25519PublicKey::FromBytes(crypto::AsBytes(r.server_static()));
    if (key.ok()) {
      log_.Warning("no server_key configured: trusting " + server_.ToString() + " on first use, key " +
                   crypto::Fingerprint(crypto::KeyType::kX25519, key->Bytes()));
      keys_.pinned = *key;
      if (keys_.pin) keys_.pin(*key);
    }
  }
  auto session = secure::SecureSession::Create(*keys, secure::Role::kClient);
  if (!session.ok()) return;
  secure_ = std::make_unique<secure::SecureSession>(std::move(session).value());
  handshake_.reset();
  unanswered_ = 0;
  backoff_ = kUsPerSec;
  SendHello();
}

bool Session::Open(const wire::Datagram& outer, wire::Datagram* inner) {
  return Open(secure::SealedView{outer.session(), outer.seq(), crypto::AsBytes(outer.sealed())}, inner);
}

bool Session::Open(const secure::SealedView& view, wire::Datagram* inner) {
  if (!secure_ || !secure_->Open(view, plain_).ok()) return false;
  // The server still holds this session: lost Welcomes alone (a lossy link)
  // must not make us drop it and go deaf to a push while we handshake again.
  unanswered_ = 0;
  return wire::DecodeDatagramInto(plain_, kMaxInner, inner).ok();
}

void Session::SendHello() {
  if (!secure_ || secure_->NeedsRekey() || unanswered_ >= kUnansweredBeforeHandshake) {
    secure_.reset();
    registered_ = false;
    unanswered_ = 0;
    backoff_ = kUsPerSec;  // a new handshake starts from the short retry, not the Hellos' backoff
    Handshake();
    return;
  }
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  *d.mutable_hello() = make_hello_();
  Send(d);
  ++unanswered_;
  timer_.Arm(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void Session::HelloNow() {
  if (secure_) SendHello();
}

void Session::OnTimer() {
  if (registered_ && clock_.UnixMs() >= lease_expires_ms_) {
    registered_ = false;
    log_.Warning("lease from " + server_.ToString() + " expired; registering again");
  }
  if (!secure_) return Handshake();
  SendHello();
}

void Session::OnWelcome(const wire::Welcome& welcome) {
  uint32_t lease = std::max<uint32_t>(welcome.lease_ms(), 3000);
  bool first = !registered_ || welcome.server_instance() != server_instance_;
  if (welcome.enrollment() != enrollment_ || first) {
    if (welcome.enrollment() == wire::ENROLLMENT_PENDING)
      log_.Notice(kMsgPending, "waiting for approval: run 'nxtctl clients approve <id>' on the server",
                  {{"NXT_SERVER", server_.ToString()}});
    if (welcome.enrollment() == wire::ENROLLMENT_REVOKED)
      log_.Warning(kMsgPending, "the server has revoked this host; it will receive nothing",
                   {{"NXT_SERVER", server_.ToString()}});
  }
  enrollment_ = welcome.enrollment();
  registered_ = true;
  unanswered_ = 0;
  server_instance_ = welcome.server_instance();
  lease_expires_ms_ = clock_.UnixMs() + lease;
  if (first)
    log_.Info(kMsgRegistered, "registered with " + server_.ToString() + ", lease " + std::to_string(lease / 1000) + " s",
              {{"NXT_SERVER", server_.ToString()}});
  backoff_ = kUsPerSec;
  timer_.Arm(static_cast<TimeUs>(lease) * kUsPerMs / 3);  // renew at a third of the lease
}

}  // namespace nxt::client
