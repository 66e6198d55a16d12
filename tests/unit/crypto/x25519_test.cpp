#include "crypto/x25519.h"

#include <gtest/gtest.h>

#include "test_bytes.h"

namespace nxt::crypto {
namespace {

using testing::Garbage;
using testing::Unhex;

std::vector<uint8_t> Vec(const RawKey& k) { return {k.begin(), k.end()}; }

// RFC 7748 section 6.1.
constexpr const char* kAlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr const char* kAlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr const char* kBobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr const char* kBobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
constexpr const char* kShared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

TEST(X25519Agree, MatchesTheRfc7748Vector) {
  auto alice = X25519KeyPair::FromPrivateBytes(Unhex(kAlicePrivate));
  auto bob = X25519KeyPair::FromPrivateBytes(Unhex(kBobPrivate));
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(Vec(alice->PublicKeyBytes()), Unhex(kAlicePublic));
  EXPECT_EQ(Vec(bob->PublicKeyBytes()), Unhex(kBobPublic));

  auto bob_pub = X25519PublicKey::FromBytes(Unhex(kBobPublic));
  ASSERT_TRUE(bob_pub.ok());
  auto ab = Agree(*alice, *bob_pub);
  auto ba = Agree(*bob, alice->PublicKey());
  ASSERT_TRUE(ab.ok()) << ab.error().message();
  ASSERT_TRUE(ba.ok());
  EXPECT_EQ(std::vector<uint8_t>(ab->begin(), ab->end()), Unhex(kShared));
  EXPECT_EQ(*ab, *ba);
}

TEST(X25519Agree, GivesBothSidesOfGeneratedKeysTheSameSecretAndOthersADifferentOne) {
  auto a = X25519KeyPair::Generate();
  auto b = X25519KeyPair::Generate();
  auto c = X25519KeyPair::Generate();
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto ab = Agree(*a, b->PublicKey());
  ASSERT_TRUE(ab.ok());
  EXPECT_EQ(*ab, *Agree(*b, a->PublicKey()));
  EXPECT_NE(*ab, *Agree(*c, a->PublicKey()));
}

TEST(X25519Agree, RefusesLowOrderPeerKeysThatForceAnAllZeroSecret) {
  // Points of order 1, 2, 4 and 8 (and their non-canonical twins), from the
  // well-known list used by libsodium and Bernstein's curve25519 page.
  const char* kLowOrder[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  auto mine = X25519KeyPair::Generate();
  ASSERT_TRUE(mine.ok());
  for (const char* hex : kLowOrder) {
    auto theirs = X25519PublicKey::FromBytes(Unhex(hex));
    ASSERT_TRUE(theirs.ok()) << hex;
    auto r = Agree(*mine, *theirs);
    ASSERT_FALSE(r.ok()) << hex;
    EXPECT_EQ(r.error().code(), Errc::kCorrupt) << hex;
    EXPECT_NE(r.error().message().find("low-order"), std::string::npos) << r.error().message();
  }
}

TEST(AnX25519KeyPair, SurvivesAPrivateKeyRoundTrip) {
  auto pair = X25519KeyPair::Generate();
  ASSERT_TRUE(pair.ok());
  auto again = X25519KeyPair::FromPrivateBytes(pair->PrivateKeyBytes());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicKeyBytes(), pair->PublicKeyBytes());
  EXPECT_EQ(again->PublicKey(), pair->PublicKey());
}

TEST(AnX25519Key, RequiresExactly32Bytes) {
  EXPECT_EQ(X25519PublicKey::FromBytes(std::vector<uint8_t>(31, 9)).error().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(X25519PublicKey::FromBytes({}).ok());
  EXPECT_FALSE(X25519KeyPair::FromPrivateBytes(std::vector<uint8_t>(33, 9)).ok());
}

TEST(X25519AgreeOnGarbage, EitherAgreesOrRefusesCleanly) {
  Garbage g;
  auto mine = X25519KeyPair::Generate();
  ASSERT_TRUE(mine.ok());
  for (int i = 0; i < 500; ++i) {
    auto theirs = X25519PublicKey::FromBytes(g.Bytes(32));
    ASSERT_TRUE(theirs.ok());
    auto r = Agree(*mine, *theirs);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Errc::kCorrupt);
    }
  }
}

}  // namespace
}  // namespace nxt::crypto
