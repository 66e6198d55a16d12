#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "test_bytes.h"

namespace nxt::crypto {
namespace {

using testing::Garbage;
using testing::Unhex;

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
const Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2465"
     "5141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
     "b00d291612bb0c00"},
};

TEST(AnEd25519KeyPair, MatchesTheRfc8032Vectors) {
  for (const auto& v : kVectors) {
    auto pair = Ed25519KeyPair::FromPrivateBytes(Unhex(v.secret));
    ASSERT_TRUE(pair.ok()) << pair.error().message();
    auto pub = pair->PublicKeyBytes();
    EXPECT_EQ(std::vector<uint8_t>(pub.begin(), pub.end()), Unhex(v.public_key));
    auto sig = pair->Sign(Unhex(v.message));
    ASSERT_TRUE(sig.ok()) << sig.error().message();
    EXPECT_EQ(std::vector<uint8_t>(sig->begin(), sig->end()), Unhex(v.signature));

    auto key = Ed25519PublicKey::FromBytes(Unhex(v.public_key));
    ASSERT_TRUE(key.ok());
    EXPECT_TRUE(Verify(*key, Unhex(v.message), Unhex(v.signature)));
  }
}

TEST(AnEd25519KeyPair, SignsWhatItsPublicKeyVerifiesAndSurvivesAPrivateKeyRoundTrip) {
  auto pair = Ed25519KeyPair::Generate();
  ASSERT_TRUE(pair.ok()) << pair.error().message();
  const std::vector<uint8_t> msg = {'m', 'a', 'n', 'i', 'f', 'e', 's', 't'};
  auto sig = pair->Sign(msg);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Verify(pair->PublicKey(), msg, *sig));

  auto again = Ed25519KeyPair::FromPrivateBytes(pair->PrivateKeyBytes());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicKeyBytes(), pair->PublicKeyBytes());
  EXPECT_EQ(*again->Sign(msg), *sig);  // Ed25519 is deterministic
}

TEST(AnEd25519KeyPair, GeneratesADifferentKeyEachTime) {
  EXPECT_NE(Ed25519KeyPair::Generate()->PublicKeyBytes(), Ed25519KeyPair::Generate()->PublicKeyBytes());
}

TEST(AnEd25519KeyPair, RefusesAPrivateKeyOfTheWrongSize) {
  auto r = Ed25519KeyPair::FromPrivateBytes(std::vector<uint8_t>(31, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(Ed25519KeyPair::FromPrivateBytes({}).ok());
}

TEST(AnEd25519PublicKey, RequiresExactly32BytesAndCopiesFreely) {
  EXPECT_EQ(Ed25519PublicKey::FromBytes(std::vector<uint8_t>(33, 1)).error().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(Ed25519PublicKey::FromBytes({}).ok());
  auto pair = Ed25519KeyPair::Generate();
  auto sig = pair->Sign({});
  Ed25519PublicKey copy = pair->PublicKey();
  Ed25519PublicKey assigned = *Ed25519PublicKey::FromBytes(std::vector<uint8_t>(32, 7));
  assigned = copy;
  EXPECT_TRUE(Verify(copy, {}, *sig));
  EXPECT_TRUE(Verify(assigned, {}, *sig));
  EXPECT_EQ(assigned, pair->PublicKey());
}

class Ed25519Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = Ed25519KeyPair::Generate();
    ASSERT_TRUE(p.ok());
    pair_.emplace(std::move(p).value());
    auto s = pair_->Sign(msg_);
    ASSERT_TRUE(s.ok());
    sig_.assign(s->begin(), s->end());
  }
  bool Accepts(const std::vector<uint8_t>& msg, const std::vector<uint8_t>& sig) {
    return Verify(pair_->PublicKey(), msg, sig);
  }

  std::optional<Ed25519KeyPair> pair_;
  std::vector<uint8_t> msg_ = std::vector<uint8_t>(100, 0x5a);
  std::vector<uint8_t> sig_;
};

TEST_F(Ed25519Verify, RejectsEveryFlippedBitOfTheSignature) {
  ASSERT_TRUE(Accepts(msg_, sig_));
  for (std::size_t bit = 0; bit < sig_.size() * 8; ++bit) {
    auto bad = sig_;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(Accepts(msg_, bad)) << "bit " << bit;
  }
}

TEST_F(Ed25519Verify, RejectsAChangedOrTruncatedMessage) {
  auto changed = msg_;
  changed[99] ^= 1;
  EXPECT_FALSE(Accepts(changed, sig_));
  EXPECT_FALSE(Accepts(std::vector<uint8_t>(msg_.begin(), msg_.end() - 1), sig_));
  EXPECT_FALSE(Accepts({}, sig_));
}

TEST_F(Ed25519Verify, RejectsASignatureByAnotherKey) {
  auto other = Ed25519KeyPair::Generate();
  EXPECT_FALSE(Verify(other->PublicKey(), msg_, sig_));
}

TEST_F(Ed25519Verify, AnswersFalseForSignaturesOfAnyWrongLength) {
  for (std::size_t len : {0, 1, 32, 63, 65, 128, 4096}) {
    std::vector<uint8_t> sig(len, 0);
    std::copy_n(sig_.begin(), std::min(len, sig_.size()), sig.begin());
    EXPECT_FALSE(Accepts(msg_, sig)) << len;
  }
}

TEST(Ed25519VerifyOnGarbage, NeverAcceptsAndNeverCrashes) {
  Garbage g;
  for (int i = 0; i < 2000; ++i) {
    auto key = Ed25519PublicKey::FromBytes(g.Bytes(32));  // includes invalid points
    ASSERT_TRUE(key.ok());
    EXPECT_FALSE(Verify(*key, g.Bytes(g.Below(200)), g.Bytes(i % 4 == 0 ? g.Below(130) : 64)));
  }
  // Degenerate keys: the identity-ish encodings.
  for (uint8_t fill : {0x00, 0xff}) {
    auto key = Ed25519PublicKey::FromBytes(std::vector<uint8_t>(32, fill));
    ASSERT_TRUE(key.ok());
    EXPECT_FALSE(Verify(*key, {}, std::vector<uint8_t>(64, 0)));
  }
}

}  // namespace
}  // namespace nxt::crypto
