#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "test_bytes.h"

namespace nxt::crypto {
namespace {

using testing::Garbage;
using testing::Unhex;

AeadNonce Nonce(std::string_view hex) {
  AeadNonce n{};
  auto bytes = Unhex(hex);
  std::copy(bytes.begin(), bytes.end(), n.begin());
  return n;
}

// The GCM specification (McGrew & Viega), AES-256 test cases 13, 14 and 16;
// the same vectors ship in NIST's GCM validation suite.
struct GcmVector {
  const char* key;
  const char* iv;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};
const GcmVector kVectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de6"
     "57ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a"
     "0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(AnAeadKey, MatchesTheGcmSpecificationVectorsInBothDirections) {
  for (const auto& v : kVectors) {
    auto key = AeadKey::Create(Unhex(v.key));
    ASSERT_TRUE(key.ok()) << key.error().message();
    auto pt = Unhex(v.plaintext);
    auto expected = Unhex(v.ciphertext);
    auto tag = Unhex(v.tag);
    expected.insert(expected.end(), tag.begin(), tag.end());
    // Twice: the second seal reuses the context with only a new IV.
    for (int round = 0; round < 2; ++round) {
      std::vector<uint8_t> sealed(pt.size() + kAeadTagSize);
      auto n = key->Seal(Nonce(v.iv), Unhex(v.aad), pt, sealed);
      ASSERT_TRUE(n.ok()) << n.error().message();
      EXPECT_EQ(*n, sealed.size());
      EXPECT_EQ(sealed, expected) << v.tag;
      std::vector<uint8_t> opened(pt.size());
      auto m = key->Open(Nonce(v.iv), Unhex(v.aad), expected, opened);
      ASSERT_TRUE(m.ok()) << m.error().message();
      EXPECT_EQ(*m, pt.size());
      EXPECT_EQ(opened, pt);
    }
  }
}

class AeadRecord : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = AeadKey::Create(std::vector<uint8_t>(32, 0x42));
    ASSERT_TRUE(k.ok());
    key_.emplace(std::move(k).value());
    plaintext_ = garbage_.Bytes(1200);
    sealed_.resize(plaintext_.size() + kAeadTagSize);
    ASSERT_TRUE(key_->Seal(nonce_, aad_, plaintext_, sealed_).ok());
  }
  Result<std::size_t> OpenWith(AeadKey& key, const AeadNonce& nonce, const std::vector<uint8_t>& aad,
                               const std::vector<uint8_t>& sealed) {
    out_.assign(sealed.size(), 0xee);
    return key.Open(nonce, aad, sealed, out_);
  }
  Result<std::size_t> Open(const std::vector<uint8_t>& sealed) { return OpenWith(*key_, nonce_, aad_, sealed); }

  Garbage garbage_;
  std::optional<AeadKey> key_;
  AeadNonce nonce_ = Nonce("000000000000000000000007");
  std::vector<uint8_t> aad_ = {'h', 'd', 'r'};
  std::vector<uint8_t> plaintext_, sealed_, out_;
};

TEST_F(AeadRecord, RoundTripsAndReturnsThePlaintextSize) {
  auto n = Open(sealed_);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(*n, plaintext_.size());
  EXPECT_TRUE(std::equal(plaintext_.begin(), plaintext_.end(), out_.begin()));
}

TEST_F(AeadRecord, RefusesEveryFlippedBitOfCiphertextAndTagAndWipesTheOutput) {
  for (std::size_t bit = 0; bit < sealed_.size() * 8; bit += 7) {
    auto bad = sealed_;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = Open(bad);
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    EXPECT_EQ(r.error().code(), Errc::kCorrupt);
    EXPECT_EQ(r.error().message(), "aead: authentication failed");
    EXPECT_TRUE(std::all_of(out_.begin(), out_.begin() + 1200, [](uint8_t b) { return b == 0; })) << bit;
  }
  for (std::size_t i = sealed_.size() - kAeadTagSize; i < sealed_.size(); ++i) {  // every tag byte
    auto bad = sealed_;
    bad[i] ^= 0x80;
    EXPECT_FALSE(Open(bad).ok()) << i;
  }
  EXPECT_TRUE(Open(sealed_).ok());  // a failed open leaves the key usable
}

TEST_F(AeadRecord, RefusesAChangedAadNonceOrKey) {
  EXPECT_FALSE(OpenWith(*key_, nonce_, {'h', 'd', 's'}, sealed_).ok());
  EXPECT_FALSE(OpenWith(*key_, nonce_, {}, sealed_).ok());
  AeadNonce other = nonce_;
  other[11] ^= 1;
  EXPECT_FALSE(OpenWith(*key_, other, aad_, sealed_).ok());
  auto wrong = AeadKey::Create(std::vector<uint8_t>(32, 0x43));
  EXPECT_FALSE(OpenWith(*wrong, nonce_, aad_, sealed_).ok());
}

TEST_F(AeadRecord, RefusesTruncatedAndTooShortRecordsAsCorrupt) {
  EXPECT_FALSE(Open(std::vector<uint8_t>(sealed_.begin(), sealed_.end() - 1)).ok());
  EXPECT_FALSE(Open(std::vector<uint8_t>(sealed_.begin() + 1, sealed_.end())).ok());
  for (std::size_t len : {0, 1, 15}) {
    auto r = Open(std::vector<uint8_t>(len, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::kCorrupt);
  }
  EXPECT_FALSE(Open(std::vector<uint8_t>(16, 0)).ok());  // tag only, wrong
}

TEST_F(AeadRecord, SealsAndOpensInPlace) {
  std::vector<uint8_t> buf = plaintext_;
  buf.resize(plaintext_.size() + kAeadTagSize);
  auto n = key_->Seal(nonce_, aad_, std::span(buf).first(plaintext_.size()), buf);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(buf, sealed_);
  auto m = key_->Open(nonce_, aad_, buf, buf);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_TRUE(std::equal(plaintext_.begin(), plaintext_.end(), buf.begin()));
}

TEST_F(AeadRecord, RefusesAnOutputBufferTooSmallOrPartlyOverlapping) {
  std::vector<uint8_t> small(plaintext_.size() + kAeadTagSize - 1);
  EXPECT_EQ(key_->Seal(nonce_, aad_, plaintext_, small).error().code(), Errc::kInvalidArgument);
  std::vector<uint8_t> small_open(plaintext_.size() - 1);
  EXPECT_EQ(key_->Open(nonce_, aad_, sealed_, small_open).error().code(), Errc::kInvalidArgument);
  std::vector<uint8_t> buf(2000);
  auto r = key_->Seal(nonce_, aad_, std::span(buf).subspan(8, 1200), std::span(buf).subspan(0, 1216));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
}

TEST_F(AeadRecord, HandlesEverySizeFromEmptyUpwards) {
  for (std::size_t len : {0, 1, 15, 16, 17, 31, 1200, 65536}) {
    auto pt = garbage_.Bytes(len);
    std::vector<uint8_t> sealed(len + kAeadTagSize), opened(len);
    ASSERT_EQ(*key_->Seal(nonce_, {}, pt, sealed), len + kAeadTagSize);
    ASSERT_EQ(*key_->Open(nonce_, {}, sealed, opened), len);
    EXPECT_EQ(opened, pt) << len;
  }
}

TEST_F(AeadRecord, SealsDifferentlyUnderDifferentNonces) {
  std::vector<uint8_t> other(sealed_.size());
  AeadNonce next = nonce_;
  next[0] = 1;
  ASSERT_TRUE(key_->Seal(next, aad_, plaintext_, other).ok());
  EXPECT_NE(other, sealed_);
}

TEST_F(AeadRecord, StillWorksAfterTheKeyIsMoved) {
  AeadKey moved = std::move(*key_);
  EXPECT_TRUE(OpenWith(moved, nonce_, aad_, sealed_).ok());
}

TEST_F(AeadRecord, NeverAcceptsGarbage) {
  for (int i = 0; i < 2000; ++i) {
    auto r = Open(garbage_.Bytes(garbage_.Below(1300)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::kCorrupt);
  }
}

TEST(AnAeadKey, RequiresA32ByteKey) {
  EXPECT_EQ(AeadKey::Create(std::vector<uint8_t>(16, 1)).error().code(), Errc::kInvalidArgument);
  EXPECT_FALSE(AeadKey::Create({}).ok());
}

}  // namespace
}  // namespace nxt::crypto
