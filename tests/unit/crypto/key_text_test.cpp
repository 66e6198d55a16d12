#include "crypto/key_text.h"

#include <gtest/gtest.h>

#include "crypto/base64.h"
#include "test_bytes.h"

namespace nxt::crypto {
namespace {

using testing::Garbage;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64, MatchesTheRfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(Bytes(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << ": " << decoded.error().message();
    EXPECT_EQ(*decoded, Bytes(plain));
  }
}

TEST(Base64, RefusesEveryNonCanonicalSpelling) {
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm=v", "=m9v", " Zm9v", "Zm9v\n", "Zm9v Zm9v",
                          "Zm9-", "Zm9_", "Zm9vYg=a"}) {
    auto r = Base64Decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Errc::kInvalidArgument) << bad;
    }
  }
}

TEST(Base64, RoundTripsRandomBytesAndNeverCrashesOnGarbageText) {
  Garbage g;
  for (std::size_t len = 0; len < 100; ++len) {
    auto bytes = g.Bytes(len);
    EXPECT_EQ(*Base64Decode(Base64Encode(bytes)), bytes);
  }
  for (int i = 0; i < 5000; ++i) {
    auto text = g.Bytes(g.Below(4) * 4 + g.Below(2) * 4);
    for (auto& c : text) c = "AZaz09+/=\n \0"[c % 12];
    (void)Base64Decode(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  }
}

const RawKey kKey = [] {
  RawKey k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 7 + 1);
  return k;
}();

TEST(KeyText, RoundTripsEveryKindAndToleratesOneTrailingNewline) {
  for (KeyType type : {KeyType::kEd25519, KeyType::kX25519}) {
    for (KeyPart part : {KeyPart::kPublic, KeyPart::kPrivate}) {
      std::string text = FormatKey(type, part, kKey);
      EXPECT_EQ(text.substr(0, text.find(' ')), KeyLabel(type, part));
      EXPECT_EQ(text.size(), KeyLabel(type, part).size() + 1 + 44);
      EXPECT_EQ(*ParseKey(type, part, text), kKey);
      EXPECT_EQ(*ParseKey(type, part, text + "\n"), kKey);
    }
  }
  EXPECT_EQ(KeyLabel(KeyType::kX25519, KeyPart::kPrivate), "nxt-x25519-private");
}

TEST(KeyText, IsStrictAboutEverythingElse) {
  std::string good = FormatKey(KeyType::kEd25519, KeyPart::kPublic, kKey);
  std::string b64 = good.substr(good.find(' ') + 1);
  for (const std::string& bad : std::vector<std::string>{good + "\n\n", good + "\r\n", good + " ", " " + good, "nxt-ed25519-public  " + b64,
                          "nxt-ed25519-public\t" + b64, "nxt-ed25519-public", "nxt-ed25519-public ", std::string(),
                          "ssh-ed25519 " + b64, "nxt-ed25519-public " + b64.substr(4),
                          "nxt-ed25519-public " + Base64Encode(std::vector<uint8_t>(33, 1))}) {
    auto r = ParseKey(KeyType::kEd25519, KeyPart::kPublic, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
    EXPECT_NE(r.error().message().find("nxt-ed25519-public"), std::string::npos) << r.error().message();
  }
}

TEST(KeyText, SaysWhichKindItGotWhenItIsAnotherNxtKey) {
  auto r = ParseKey(KeyType::kEd25519, KeyPart::kPublic, FormatKey(KeyType::kX25519, KeyPart::kPublic, kKey));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "holds an nxt-x25519-public key, expected nxt-ed25519-public");
  auto priv = ParseKey(KeyType::kX25519, KeyPart::kPrivate, FormatKey(KeyType::kX25519, KeyPart::kPublic, kKey));
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.error().message(), "holds an nxt-x25519-public key, expected nxt-x25519-private");
}

TEST(KeyText, NeverEchoesKeyMaterialInErrors) {
  std::string text = FormatKey(KeyType::kX25519, KeyPart::kPrivate, kKey);
  std::string b64 = text.substr(text.find(' ') + 1);
  auto r = ParseKey(KeyType::kEd25519, KeyPart::kPrivate, text + "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().find(b64.substr(0, 8)), std::string::npos) << r.error().message();
}

TEST(AFingerprint, IsTheTypeAndTheFirst64BitsOfTheKeysSha256InHex) {
  // SHA-256 of 32 zero bytes is 66687aadf862bd776c8fc18b8e9f8e20...
  EXPECT_EQ(Fingerprint(KeyType::kX25519, std::vector<uint8_t>(32, 0)), "x25519:66687aadf862bd77");
  EXPECT_EQ(Fingerprint(KeyType::kEd25519, std::vector<uint8_t>(32, 0)), "ed25519:66687aadf862bd77");
  EXPECT_NE(Fingerprint(KeyType::kEd25519, kKey), Fingerprint(KeyType::kEd25519, std::vector<uint8_t>(32, 0)));
}

}  // namespace
}  // namespace nxt::crypto
