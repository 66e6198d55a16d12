#include "artifact/release.h"

#include <gtest/gtest.h>

#include "artifact/manifest.h"
#include "crypto/digest.h"

namespace nxt::artifact {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

wire::Manifest SampleManifest() {
  std::string payload(300000, 'p');
  ManifestBuilder b(payload.size(), wire::ArtifactInfo(), kNow - 10);
  b.Update(crypto::AsBytes(payload));
  wire::Manifest m = b.Finish()->manifest;
  m.mutable_artifact()->set_product("nxtgen");
  m.mutable_artifact()->set_major(8);
  m.mutable_artifact()->set_minor(6);
  return m;
}

struct Keys {
  crypto::Ed25519KeyPair publisher = crypto::Ed25519KeyPair::Generate().value();
  crypto::Ed25519KeyPair stranger = crypto::Ed25519KeyPair::Generate().value();
  TrustPolicy policy{{publisher.PublicKey()}, true};
};

TEST(ASignedManifest, OpensWhenSignedByATrustedPublisher) {
  Keys k;
  auto bytes = SignManifest(SampleManifest(), k.publisher);
  auto m = OpenSignedManifest(crypto::AsBytes(*bytes), k.policy, kNow);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->artifact().major(), 8u);
}

TEST(ASignedManifest, IsRefusedUnsignedUntrustedTamperedOrExpired) {
  Keys k;
  auto unsigned_bytes = UnsignedManifest(SampleManifest());
  auto r = OpenSignedManifest(crypto::AsBytes(unsigned_bytes), k.policy, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not signed"), std::string::npos);

  auto by_stranger = SignManifest(SampleManifest(), k.stranger);
  r = OpenSignedManifest(crypto::AsBytes(*by_stranger), k.policy, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a trusted publisher"), std::string::npos);

  wire::SignedManifest s;
  ASSERT_TRUE(s.ParseFromString(*SignManifest(SampleManifest(), k.publisher)));
  std::string m = s.manifest();
  m[m.size() / 2] = static_cast<char>(m[m.size() / 2] ^ 1);
  s.set_manifest(m);
  r = OpenSignedManifest(crypto::AsBytes(s.SerializeAsString()), k.policy, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("does not verify"), std::string::npos);

  wire::Manifest expiring = SampleManifest();
  expiring.set_expires_unix_s(kNow - 1);
  auto expired = SignManifest(expiring, k.publisher);
  r = OpenSignedManifest(crypto::AsBytes(*expired), k.policy, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("expired"), std::string::npos);
  EXPECT_TRUE(OpenSignedManifest(crypto::AsBytes(*expired), k.policy, kNow - 2).ok());
}

TEST(ASignedManifest, NeverCrashesOnGarbage) {
  Keys k;
  std::string bytes = *SignManifest(SampleManifest(), k.publisher);
  for (size_t cut = 0; cut < bytes.size(); cut += 7)
    EXPECT_FALSE(OpenSignedManifest(crypto::AsBytes(bytes.substr(0, cut)), k.policy, kNow).ok()) << cut;
}

}  // namespace
}  // namespace nxt::artifact
