#include "crypto/wrap.h"

#include <gtest/gtest.h>

#include <optional>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "test_bytes.h"

namespace nxt::crypto {
namespace {

class KeyWrap : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RandomBytes(content_key_).ok());
    auto r = X25519KeyPair::Generate();
    ASSERT_TRUE(r.ok());
    recipient_.emplace(std::move(r).value());
    auto w = WrapKey(content_key_, recipient_->PublicKey(), context_);
    ASSERT_TRUE(w.ok()) << w.error().message();
    wrapped_ = *w;
  }
  Result<ContentKey> Unwrap(const WrappedKey& w) { return UnwrapKey(w, *recipient_, context_); }

  ContentKey content_key_{};
  std::optional<X25519KeyPair> recipient_;
  std::vector<uint8_t> context_ = {'r', 'e', 'l', 'e', 'a', 's', 'e', ' ', '4', '2'};
  WrappedKey wrapped_;
};

TEST_F(KeyWrap, GivesTheRecipientBackTheContentKey) {
  auto key = Unwrap(wrapped_);
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(*key, content_key_);
}

TEST_F(KeyWrap, UsesAFreshEphemeralKeyForEveryWrap) {
  auto again = WrapKey(content_key_, recipient_->PublicKey(), context_);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->ephemeral_public, wrapped_.ephemeral_public);
  EXPECT_NE(again->ciphertext, wrapped_.ciphertext);
  EXPECT_EQ(*Unwrap(*again), content_key_);
}

TEST_F(KeyWrap, CannotBeUnwrappedByAnotherClient) {
  auto other = X25519KeyPair::Generate();
  auto r = UnwrapKey(wrapped_, *other, context_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
}

TEST_F(KeyWrap, CannotBeUnwrappedUnderAnotherContext) {
  EXPECT_FALSE(UnwrapKey(wrapped_, *recipient_, std::vector<uint8_t>{'r', 'e', 'l', 'e', 'a', 's', 'e', ' ', '4', '3'}).ok());
  EXPECT_FALSE(UnwrapKey(wrapped_, *recipient_, {}).ok());
}

TEST_F(KeyWrap, RefusesEveryAlteredByte) {
  std::string bytes = wrapped_.ToBytes();
  ASSERT_EQ(bytes.size(), WrappedKey::kSize);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    auto w = WrappedKey::FromBytes(AsBytes(bad));
    ASSERT_TRUE(w.ok());
    auto r = Unwrap(*w);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().code(), Errc::kCorrupt);
  }
}

TEST_F(KeyWrap, RoundTripsThroughItsByteFormAndRefusesOtherSizes) {
  std::string bytes = wrapped_.ToBytes();
  auto back = WrappedKey::FromBytes(AsBytes(bytes));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*Unwrap(*back), content_key_);
  EXPECT_EQ(WrappedKey::FromBytes(AsBytes(bytes.substr(1))).error().code(), Errc::kCorrupt);
  EXPECT_FALSE(WrappedKey::FromBytes(AsBytes(bytes + "x")).ok());
  EXPECT_FALSE(WrappedKey::FromBytes({}).ok());
}

TEST_F(KeyWrap, RefusesALowOrderEphemeralKeyCleanly) {
  WrappedKey w = wrapped_;
  w.ephemeral_public.fill(0);
  auto r = Unwrap(w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
}

TEST_F(KeyWrap, RefusesToWrapToALowOrderRecipient) {
  auto bad = X25519PublicKey::FromBytes(std::vector<uint8_t>(32, 0));
  EXPECT_EQ(WrapKey(content_key_, *bad, context_).error().code(), Errc::kCorrupt);
}

TEST_F(KeyWrap, LimitsTheContextLength) {
  std::vector<uint8_t> longest(kWrapMaxContext, 'c');
  auto ok = WrapKey(content_key_, recipient_->PublicKey(), longest);
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(*UnwrapKey(*ok, *recipient_, longest), content_key_);
  longest.push_back('c');
  EXPECT_EQ(WrapKey(content_key_, recipient_->PublicKey(), longest).error().code(), Errc::kInvalidArgument);
}

TEST_F(KeyWrap, NeverAcceptsGarbage) {
  testing::Garbage g;
  for (int i = 0; i < 300; ++i) {
    auto w = WrappedKey::FromBytes(g.Bytes(WrappedKey::kSize));
    ASSERT_TRUE(w.ok());
    EXPECT_FALSE(Unwrap(*w).ok());
  }
}

}  // namespace
}  // namespace nxt::crypto
