#include "artifact/release.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "artifact/manifest.h"
#include "crypto/digest.h"
#include "crypto/key_text.h"
#include "sys/atomic_file.h"

namespace nxt::artifact {
namespace {
std::string AsString(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::string Date(uint64_t unix_s) {
  time_t t = static_cast<time_t>(unix_s);
  char buf[32] = {};
  tm tm_utc{};
  gmtime_r(&t, &tm_utc);
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm_utc);
  return buf;
}
}  // namespace

Result<std::string> SignManifest(const wire::Manifest& manifest, const crypto::Ed25519KeyPair& key) {
  wire::SignedManifest s;
  s.set_manifest(SerializeManifest(manifest));
  NXT_ASSIGN(crypto::Ed25519Signature sig, key.Sign(crypto::AsBytes(s.manifest())));
  s.set_signature(AsString(sig));
  s.set_publisher_key(AsString(key.PublicKeyBytes()));
  return s.SerializeAsString();
}

std::string UnsignedManifest(const wire::Manifest& manifest) {
  wire::SignedManifest s;
  s.set_manifest(SerializeManifest(manifest));
  return s.SerializeAsString();
}

Result<wire::Manifest> PeekSignedManifest(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxSignedManifestBytes) return Error(Errc::kCorrupt, "signed manifest too large");
  wire::SignedManifest s;
  if (!s.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Error(Errc::kCorrupt, "not a signed manifest");
  return ParseManifest(crypto::AsBytes(s.manifest()));
}

Result<wire::Manifest> OpenSignedManifest(std::span<const uint8_t> bytes, const TrustPolicy& policy,
                                          uint64_t now_unix_s) {
  if (bytes.size() > kMaxSignedManifestBytes) return Error(Errc::kCorrupt, "signed manifest too large");
  wire::SignedManifest s;
  if (!s.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Error(Errc::kCorrupt, "not a signed manifest");
  if (s.signature().empty()) {
    if (policy.require_signature) return Error(Errc::kPermission, "release is not signed");
  } else {
    auto key = crypto::Ed25519PublicKey::FromBytes(crypto::AsBytes(s.publisher_key()));
    if (!key.ok()) return Error(Errc::kPermission, "release signed with a malformed key");
    bool trusted = false;
    for (const auto& t : policy.trusted) trusted = trusted || t == *key;
    std::string fp = crypto::Fingerprint(crypto::KeyType::kEd25519, key->Bytes());
    if (!trusted && policy.require_signature)
      return Error(Errc::kPermission, "release signed by " + fp + ", which is not a trusted publisher");
    if (!crypto::Verify(*key, crypto::AsBytes(s.manifest()), crypto::AsBytes(s.signature())))
      return Error(Errc::kPermission, "signature of " + fp + " does not verify (tampered manifest?)");
  }
  NXT_ASSIGN(wire::Manifest m, ParseManifest(crypto::AsBytes(s.manifest())));
  if (m.expires_unix_s() != 0 && m.expires_unix_s() <= now_unix_s)
    return Error(Errc::kPermission, "release manifest expired on " + Date(m.expires_unix_s()));
  return m;
}

Result<std::optional<BundleHeader>> ReadBundleHeader(int fd) {
  char head[16] = {};
  ssize_t n = pread(fd, head, kBundleMagic.size() + 4, 0);
  if (n < static_cast<ssize_t>(kBundleMagic.size() + 4) || std::string_view(head, kBundleMagic.size()) != kBundleMagic)
    return std::optional<BundleHeader>();
  const auto* p = reinterpret_cast<const uint8_t*>(head + kBundleMagic.size());
  uint32_t len = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  if (len == 0 || len > kMaxSignedManifestBytes) return Error(Errc::kCorrupt, "bundle: bad manifest length");
  BundleHeader h;
  h.signed_manifest.resize(len);
  off_t at = static_cast<off_t>(kBundleMagic.size() + 4);
  if (pread(fd, h.signed_manifest.data(), len, at) != static_cast<ssize_t>(len))
    return Error(Errc::kCorrupt, "bundle: truncated manifest");
  h.payload_offset = static_cast<uint64_t>(at) + len;
  return std::optional<BundleHeader>(std::move(h));
}

Status WriteBundle(const std::string& path, const std::string& signed_manifest, int payload_fd) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open " + tmp);
  UniqueFd out(fd);
  std::string head(kBundleMagic);
  uint32_t len = static_cast<uint32_t>(signed_manifest.size());
  for (int i = 3; i >= 0; --i) head.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  head += signed_manifest;
  auto write_all = [&](const char* data, size_t size) -> Status {
    while (size > 0) {
      ssize_t w = ::write(fd, data, size);
      if (w < 0) return ErrnoError("write " + tmp);
      data += w;
      size -= static_cast<size_t>(w);
    }
    return Ok();
  };
  NXT_TRY(write_all(head.data(), head.size()));
  std::vector<char> buf(1 << 20);
  for (off_t off = 0;;) {
    ssize_t r = pread(payload_fd, buf.data(), buf.size(), off);
    if (r < 0) return ErrnoError("read payload");
    if (r == 0) break;
    NXT_TRY(write_all(buf.data(), static_cast<size_t>(r)));
    off += r;
  }
  if (fsync(fd) != 0) return ErrnoError("fsync " + tmp);
  out.Reset();
  return sys::RenameDurable(tmp, path);
}

}  // namespace nxt::artifact
