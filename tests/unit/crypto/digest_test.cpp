#include "crypto/digest.h"

#include <gtest/gtest.h>

#include <cctype>

namespace nxt::crypto {
namespace {

constexpr std::string_view kAbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(AHexDigest, RoundTripsThroughDigestBytes) {
  auto d = FromHex(kAbcHex);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ((*d)[0], 0xba);
  EXPECT_EQ((*d)[31], 0xad);
  EXPECT_EQ(ToHex(*d), kAbcHex);
}

TEST(AHexDigest, AcceptsUpperCaseAndPrintsLowerCase) {
  std::string upper(kAbcHex);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto d = FromHex(upper);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(ToHex(*d), kAbcHex);
}

TEST(AHexDigest, RejectsWrongLengthAndNonHexCharacters) {
  EXPECT_EQ(FromHex("").error().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(FromHex(kAbcHex.substr(1)).ok());
  EXPECT_FALSE(FromHex(std::string(kAbcHex) + "0").ok());
  std::string bad(kAbcHex);
  bad[40] = 'g';
  auto r = FromHex(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("offset 40"), std::string::npos) << r.error().message();
}

TEST(ToHex, EncodesEveryByteValueAsTwoDigits) {
  const uint8_t bytes[] = {0x00, 0x0f, 0x10, 0xff};
  EXPECT_EQ(ToHex(bytes), "000f10ff");
  EXPECT_EQ(ToHex({}), "");
}

TEST(ADigestFromProtobufBytes, RequiresExactly32Bytes) {
  Digest d{};
  d[0] = 1;
  d[31] = 0xee;
  auto back = DigestFromBytes(DigestToBytes(d));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, d);
  EXPECT_EQ(DigestFromBytes(std::string(31, 'x')).error().code(), Errc::kCorrupt);
  EXPECT_FALSE(DigestFromBytes(std::string(33, 'x')).ok());
  EXPECT_FALSE(DigestFromBytes("").ok());
}

}  // namespace
}  // namespace nxt::crypto
