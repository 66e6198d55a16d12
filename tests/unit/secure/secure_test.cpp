#include <gtest/gtest.h>

#include "secure/handshake.h"
#include "secure/session.h"
#include "wire/codec.h"

namespace nxt::secure {
namespace {

struct Pair {
  SecureSession client, server;
};

Pair Establish(const crypto::X25519KeyPair& cs, const crypto::X25519KeyPair& ss) {
  auto hs = ClientHandshake::Start(cs);
  auto acc = Respond(ss, hs->init(), 77);
  EXPECT_TRUE(acc.ok());
  auto keys = hs->Finish(acc->response, ss.PublicKey());
  EXPECT_TRUE(keys.ok()) << keys.error().message();
  return {SecureSession::Create(*keys, Role::kClient).value(), SecureSession::Create(acc->keys, Role::kServer).value()};
}

std::vector<uint8_t> SealHello(SecureSession& s, const std::string& id) {
  wire::Datagram inner;
  inner.set_version(wire::PROTOCOL_VERSION_CURRENT);
  inner.mutable_hello()->set_client_id(id);
  std::string plain = inner.SerializeAsString();
  std::vector<uint8_t> out(plain.size() + kSealOverhead);
  auto n = s.Seal(crypto::AsBytes(plain), out);
  EXPECT_TRUE(n.ok());
  out.resize(*n);
  return out;
}

Status OpenAt(SecureSession& s, const std::vector<uint8_t>& bytes, wire::Datagram* inner_out) {
  NXT_ASSIGN(wire::Datagram outer, wire::DecodeDatagram(bytes, 65000));
  std::vector<uint8_t> inner;
  NXT_TRY(s.Open(outer, inner));
  NXT_ASSIGN(*inner_out, wire::DecodeDatagram(inner, 65000));
  return Ok();
}

TEST(AHandshake, GivesBothSidesTheSameKeysAndSealedDatagramsRoundTrip) {
  auto cs = crypto::X25519KeyPair::Generate().value(), ss = crypto::X25519KeyPair::Generate().value();
  Pair p = Establish(cs, ss);
  wire::Datagram got;
  ASSERT_TRUE(OpenAt(p.server, SealHello(p.client, "host-1"), &got).ok());
  EXPECT_EQ(got.hello().client_id(), "host-1");
  ASSERT_TRUE(OpenAt(p.client, SealHello(p.server, "back"), &got).ok());
  EXPECT_EQ(got.hello().client_id(), "back");
}

TEST(AHandshake, FailsAgainstAServerThatIsNotThePinnedOne) {
  auto cs = crypto::X25519KeyPair::Generate().value(), ss = crypto::X25519KeyPair::Generate().value();
  auto impostor = crypto::X25519KeyPair::Generate().value();
  auto hs = ClientHandshake::Start(cs);
  auto acc = Respond(impostor, hs->init(), 1);
  EXPECT_FALSE(hs->Finish(acc->response, ss.PublicKey()).ok());
  // The impostor claiming the pinned key cannot produce the confirmation.
  std::string real(reinterpret_cast<const char*>(ss.PublicKeyBytes().data()), 32);
  acc->response.set_server_static(real);
  EXPECT_FALSE(hs->Finish(acc->response, ss.PublicKey()).ok());
}

TEST(ASecureSession, DropsReplaysBitFlipsAndDatagramsSealedWithAnotherKey) {
  auto cs = crypto::X25519KeyPair::Generate().value(), ss = crypto::X25519KeyPair::Generate().value();
  Pair p = Establish(cs, ss);
  auto sealed = SealHello(p.client, "host-1");
  wire::Datagram got;
  ASSERT_TRUE(OpenAt(p.server, sealed, &got).ok());
  EXPECT_FALSE(OpenAt(p.server, sealed, &got).ok()) << "replay accepted";
  for (size_t i = 0; i < sealed.size(); ++i) {
    auto flipped = SealHello(p.client, "host-1");
    flipped[i] ^= 0x01;
    EXPECT_FALSE(OpenAt(p.server, flipped, &got).ok()) << "bit flip at byte " << i << " accepted";
  }
  // A third party with its own session keys, claiming the same session id.
  auto other = crypto::X25519KeyPair::Generate().value();
  Pair q = Establish(other, ss);
  EXPECT_FALSE(OpenAt(p.server, SealHello(q.client, "spoof"), &got).ok());
}

TEST(ASecureSession, AcceptsReorderedDatagramsWithinTheWindow) {
  auto cs = crypto::X25519KeyPair::Generate().value(), ss = crypto::X25519KeyPair::Generate().value();
  Pair p = Establish(cs, ss);
  auto a = SealHello(p.client, "a"), b = SealHello(p.client, "b");
  wire::Datagram got;
  EXPECT_TRUE(OpenAt(p.server, b, &got).ok());
  EXPECT_TRUE(OpenAt(p.server, a, &got).ok());
}

TEST(ParseSealed, ReadsWhatSealWritesAndRejectsAnythingElse) {
  auto cs = crypto::X25519KeyPair::Generate().value(), ss = crypto::X25519KeyPair::Generate().value();
  Pair p = Establish(cs, ss);
  auto sealed = SealHello(p.client, "host-1");
  auto view = ParseSealed(sealed);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->session, 77u);
  EXPECT_EQ(view->seq, 1u);
  std::vector<uint8_t> inner;
  ASSERT_TRUE(p.server.Open(*view, inner).ok());
  for (size_t cut = 0; cut < sealed.size(); ++cut)
    EXPECT_FALSE(ParseSealed(std::span(sealed).first(cut)).has_value()) << cut;
  std::vector<uint8_t> junk(64, 0xff);
  EXPECT_FALSE(ParseSealed(junk).has_value());
}

TEST(ASecureSession, AsksForANewHandshakeLongBeforeItsNoncesRunOut) {
  auto cs = crypto::X25519KeyPair::Generate().value(), ss = crypto::X25519KeyPair::Generate().value();
  auto hs = ClientHandshake::Start(cs);
  auto acc = Respond(ss, hs->init(), 5);
  auto keys = hs->Finish(acc->response, ss.PublicKey());
  auto s = SecureSession::Create(*keys, Role::kClient, 3).value();
  EXPECT_GE(kRekeyAfter, uint64_t{1} << 31);  // the default: nonces are 64-bit, GCM's safe limit is far above
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(s.NeedsRekey());
    SealHello(s, "x");
  }
  EXPECT_TRUE(s.NeedsRekey());
}

}  // namespace
}  // namespace nxt::secure
