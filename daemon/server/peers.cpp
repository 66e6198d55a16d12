#include "server/peers.h"

#include <random>

#include "crypto/digest.h"
#include "wire/codec.h"

namespace nxt::server {
namespace {
constexpr size_t kMaxInner = 65000;

uint64_t RandomId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t id;
  do id = rng(); while (id == 0);
  return id;
}
}  // namespace

Status Peers::OnHandshake(net::UdpEndpoint& udp, const net::Address& from, const wire::HandshakeInit& init) {
  if (sessions_.size() >= kMaxSessions) ExpireIdle();
  if (sessions_.size() >= kMaxSessions) return Error(Errc::kBusy, "too many sessions");
  uint64_t id = RandomId();
  while (sessions_.count(id)) id = RandomId();
  NXT_ASSIGN(secure::ServerAccept acc, secure::Respond(identity_, init, id));
  NXT_ASSIGN(secure::SecureSession s, secure::SecureSession::Create(acc.keys, secure::Role::kServer));
  Peer p;
  p.id = id;
  p.session = std::make_unique<secure::SecureSession>(std::move(s));
  p.client_key = acc.client_static.Bytes();
  p.udp = &udp;
  p.address = from;
  p.last_heard = clock_.NowUs();
  sessions_.emplace(id, std::move(p));
  wire::Datagram d;
  d.set_version(wire::PROTOCOL_VERSION_CURRENT);
  *d.mutable_handshake_response() = acc.response;
  NXT_ASSIGN(std::string bytes, wire::EncodeDatagram(d));
  auto sent = udp.SendTo(from, crypto::AsBytes(bytes));
  if (!sent.ok()) return sent.error();
  return Ok();
}

Peer* Peers::Open(net::UdpEndpoint& udp, const net::Address& from, const secure::SealedView& outer,
                  wire::Datagram* inner) {
  auto it = sessions_.find(outer.session);
  if (it == sessions_.end()) return nullptr;
  Peer& p = it->second;
  if (!p.session->Open(outer, plain_).ok()) return nullptr;
  if (!wire::DecodeDatagramInto(plain_, kMaxInner, inner).ok()) return nullptr;
  // Authenticated: the client may have moved (NAT rebinding, new address).
  p.udp = &udp;
  p.address = from;
  p.last_heard = clock_.NowUs();
  return &p;
}

void Peers::Bind(Peer& peer, const std::string& client_id) {
  peer.client_id = client_id;
  by_client_[client_id] = peer.id;
}

Peer* Peers::ForClient(const std::string& client_id) {
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return nullptr;
  auto s = sessions_.find(it->second);
  return s == sessions_.end() ? nullptr : &s->second;
}

Result<size_t> Peers::Seal(Peer& peer, std::span<const uint8_t> inner, std::span<uint8_t> out) {
  return peer.session->Seal(inner, out);
}

Status Peers::Send(Peer& peer, const wire::Datagram& d) {
  std::string inner;
  NXT_TRY(wire::EncodeDatagram(d, &inner));
  sealed_.resize(inner.size() + secure::kSealOverhead);
  NXT_ASSIGN(size_t n, peer.session->Seal(crypto::AsBytes(inner), sealed_));
  auto sent = peer.udp->SendTo(peer.address, {sealed_.data(), n});
  if (!sent.ok()) return sent.error();
  return Ok();
}

void Peers::Forget(const std::string& client_id) {
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.client_id == client_id; });
  by_client_.erase(client_id);
}

void Peers::ExpireIdle() {
  TimeUs now = clock_.NowUs();
  std::erase_if(sessions_, [&](const auto& kv) {
    TimeUs idle = now - kv.second.last_heard;
    return idle > kIdleTimeout || (kv.second.client_id.empty() && idle > kUnboundTimeout);
  });
  std::erase_if(by_client_, [&](const auto& kv) { return !sessions_.count(kv.second); });
}

}  // namespace nxt::server
