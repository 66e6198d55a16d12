#include "artifact/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

#include "artifact/block_plan.h"
#include "artifact/file_io.h"
#include "crypto/sha256.h"

namespace nxt::artifact {
namespace {

constexpr std::size_t kCopyStep = 1 << 20;  // 1 MiB per pread/write
constexpr mode_t kFileMode = 0440;          // content-addressed: never modified in place
constexpr mode_t kDirMode = 0750;
constexpr std::string_view kTmpSuffix = ".tmp";

bool IsPayloadName(std::string_view name) {
  return name.size() == 2 * crypto::kSha256Size && crypto::FromHex(name).ok();
}

// Copies `size` bytes of `src` into `dst`, feeding the manifest builder with
// exactly the bytes written, so the stored file and its hashes always agree
// even if `src` changes underneath.
Status CopyAndHash(int src, uint64_t offset, int dst, uint64_t size, ManifestBuilder& builder) {
  std::vector<uint8_t> buf(kCopyStep);
  while (builder.fed() < size) {
    std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), size - builder.fed()));
    NXT_ASSIGN(std::size_t got, detail::PreadFull(src, std::span(buf).first(want),
                                                  static_cast<off_t>(offset + builder.fed())));
    if (got == 0) {
      return Error(Errc::kCorrupt, "source shrank to " + std::to_string(builder.fed()) + " bytes while importing");
    }
    std::span<const uint8_t> chunk(buf.data(), got);
    NXT_TRY(detail::WriteAll(dst, chunk));
    builder.Update(chunk);
  }
  return Ok();
}

}  // namespace

std::string ArtifactStore::PayloadPath(const crypto::Digest& sha256) const {
  return dir_ + "/" + crypto::ToHex(sha256);
}

std::string ArtifactStore::ManifestPath(const crypto::Digest& sha256) const {
  return PayloadPath(sha256) + ".manifest";
}

Status ArtifactStore::Prepare() {
  if (::mkdir(dir_.c_str(), kDirMode) != 0 && errno != EEXIST) return ErrnoError("mkdir " + dir_);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir_.c_str()), &::closedir);
  if (!d) return ErrnoError("opendir " + dir_);
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name.starts_with(".") && name.ends_with(kTmpSuffix) && name.size() > kTmpSuffix.size() + 1) {
      std::string path = dir_ + "/" + std::string(name);
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError("unlink " + path);
    }
  }
  return Ok();
}

Status ArtifactStore::PublishManifest(const crypto::Digest& sha256, const std::string& bytes) const {
  return detail::WriteFileAtomically(dir_, ManifestPath(sha256), crypto::AsBytes(bytes), kFileMode);
}

Result<StoredArtifact> ArtifactStore::Import(int fd, wire::ArtifactInfo info, uint64_t created_unix_s,
                                             uint64_t offset, uint64_t length) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("import: fstat");
  if (!S_ISREG(st.st_mode)) return Error(Errc::kUnsupported, "import: source is not a regular file");
  if (offset > static_cast<uint64_t>(st.st_size)) return Error(Errc::kInvalidArgument, "import: offset beyond the end");
  const uint64_t rest = static_cast<uint64_t>(st.st_size) - offset;
  if (length != kToEnd && length > rest) return Error(Errc::kInvalidArgument, "import: part runs past the end");
  const uint64_t size = length == kToEnd ? rest : length;

  ManifestBuilder builder(size, std::move(info), created_unix_s);
  if (size > kMaxPlannedSize) return builder.Finish().error();  // refuse before copying
  NXT_ASSIGN(detail::TempFile tmp, detail::TempFile::Create(dir_, "import"));
  if (auto s = CopyAndHash(fd, offset, tmp.fd(), size, builder); !s.ok()) {
    return std::move(s).error().WithContext("import " + tmp.path());
  }
  NXT_ASSIGN(ManifestAndDigest built, builder.Finish());

  if (::access(PayloadPath(built.sha256).c_str(), F_OK) == 0) {
    auto existing = Open(built.sha256);
    if (existing.ok()) {
      existing->already_present = true;
      return existing;  // `tmp` is unlinked on return
    }
    // Payload present but its manifest is unusable: repair it below.
  }
  // Manifest first, then the payload: a visible payload always has a manifest.
  NXT_TRY(PublishManifest(built.sha256, SerializeManifest(built.manifest)));
  NXT_TRY(tmp.Publish(PayloadPath(built.sha256), kFileMode));
  NXT_TRY(detail::FsyncDir(dir_));
  return Open(built.sha256);
}

Result<StoredArtifact> ArtifactStore::Open(const crypto::Digest& sha256) const {
  StoredArtifact out;
  out.sha256 = sha256;
  const std::string path = PayloadPath(sha256);
  out.fd.Reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!out.fd) return ErrnoError("open " + path);
  struct stat st {};
  if (::fstat(out.fd.get(), &st) != 0) return ErrnoError("fstat " + path);
  out.size = static_cast<uint64_t>(st.st_size);

  auto bytes = detail::ReadSmallFile(ManifestPath(sha256), kMaxManifestBytes);
  if (!bytes.ok()) {
    // A missing manifest next to a present payload is damage, not absence.
    return Error(Errc::kCorrupt, bytes.error().message());
  }
  out.manifest_bytes = std::move(*bytes);
  NXT_ASSIGN(out.manifest, ParseManifest(crypto::AsBytes(out.manifest_bytes)));
  if (out.manifest.artifact().sha256() != crypto::DigestToBytes(sha256) || out.manifest.size() != out.size) {
    return Error(Errc::kCorrupt, ManifestPath(sha256) + ": does not describe the stored payload");
  }
  out.manifest_sha256 = crypto::Sha256Of(crypto::AsBytes(out.manifest_bytes));
  return out;
}

Status ArtifactStore::Verify(const crypto::Digest& sha256) const {
  NXT_ASSIGN(crypto::Digest actual, crypto::Sha256OfFile(PayloadPath(sha256)));
  if (actual != sha256) {
    return Error(Errc::kCorrupt, PayloadPath(sha256) + ": content hashes to " + crypto::ToHex(actual));
  }
  return Ok();
}

Result<std::vector<crypto::Digest>> ArtifactStore::List() const {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir_.c_str()), &::closedir);
  if (!d) return ErrnoError("opendir " + dir_);
  std::vector<crypto::Digest> out;
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    if (IsPayloadName(e->d_name)) out.push_back(*crypto::FromHex(e->d_name));
    errno = 0;
  }
  if (errno != 0) return ErrnoError("readdir " + dir_);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace nxt::artifact
