#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include "test_bytes.h"

namespace nxt::crypto {
namespace {

using testing::Unhex;

const std::vector<uint8_t> kIkm(22, 0x0b);

TEST(Hkdf, MatchesRfc5869TestCase1) {
  auto okm = Hkdf(kIkm, Unhex("000102030405060708090a0b0c"), Unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok()) << okm.error().message();
  EXPECT_EQ(*okm, Unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
}

TEST(Hkdf, MatchesRfc5869TestCase3WithEmptySaltAndInfo) {
  auto okm = Hkdf(kIkm, {}, {}, 42);
  ASSERT_TRUE(okm.ok()) << okm.error().message();
  EXPECT_EQ(*okm, Unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
  // An empty salt is the same as HashLen zero bytes (RFC 5869 section 2.2).
  EXPECT_EQ(*okm, *Hkdf(kIkm, std::vector<uint8_t>(32, 0), {}, 42));
}

TEST(Hkdf, GivesDifferentKeysForDifferentInfoLabels) {
  EXPECT_NE(*Hkdf(kIkm, {}, Unhex("01"), 32), *Hkdf(kIkm, {}, Unhex("02"), 32));
}

TEST(Hkdf, RefusesZeroOrOverlongOutputAndEmptyKeyMaterial) {
  EXPECT_EQ(Hkdf(kIkm, {}, {}, 0).error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(Hkdf(kIkm, {}, {}, kHkdfMaxLength + 1).error().code(), Errc::kInvalidArgument);
  auto longest = Hkdf(kIkm, {}, {}, kHkdfMaxLength);
  ASSERT_TRUE(longest.ok()) << longest.error().message();
  EXPECT_EQ(longest->size(), kHkdfMaxLength);
  EXPECT_EQ(Hkdf({}, {}, {}, 32).error().code(), Errc::kInvalidArgument);
}

}  // namespace
}  // namespace nxt::crypto
