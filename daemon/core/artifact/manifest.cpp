#include "artifact/manifest.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "artifact/block_plan.h"
#include "artifact/file_io.h"

namespace nxt::artifact {
namespace {

constexpr std::size_t kReadStep = 1 << 20;  // 1 MiB per pread

Error Corrupt(const std::string& what) { return Error(Errc::kCorrupt, "manifest: " + what); }

Status CheckManifest(const wire::Manifest& m) {
  if (!m.has_artifact()) return Corrupt("no artifact");
  if (m.artifact().sha256().size() != crypto::kSha256Size) {
    return Corrupt("artifact sha256 is " + std::to_string(m.artifact().sha256().size()) + " bytes, not 32");
  }
  if (!IsValidBlockSize(m.block_size())) {
    return Corrupt("block size " + std::to_string(m.block_size()) +
                   " is not a power of two between 64 KiB and 64 MiB");
  }
  uint64_t want = BlockCount(m.size(), m.block_size());
  if (static_cast<uint64_t>(m.block_sha256_size()) != want) {
    return Corrupt(std::to_string(m.block_sha256_size()) + " block hashes for " + std::to_string(m.size()) +
                   " bytes in blocks of " + std::to_string(m.block_size()) + " (want " +
                   std::to_string(want) + ")");
  }
  for (int i = 0; i < m.block_sha256_size(); ++i) {
    if (m.block_sha256(i).size() != crypto::kSha256Size) {
      return Corrupt("block " + std::to_string(i) + " hash is " + std::to_string(m.block_sha256(i).size()) +
                     " bytes, not 32");
    }
  }
  return Ok();
}

}  // namespace

ManifestBuilder::ManifestBuilder(uint64_t size, wire::ArtifactInfo info, uint64_t created_unix_s)
    : size_(size) {
  *manifest_.mutable_artifact() = std::move(info);
  manifest_.set_size(size);
  manifest_.set_block_size(BlockSizeFor(size));
  manifest_.set_kind(std::string(kKindPlugin));
  manifest_.set_created_unix_s(created_unix_s);
  // Over-large sizes are refused in Finish(); do not reserve for them.
  if (size <= kMaxPlannedSize) {
    manifest_.mutable_block_sha256()->Reserve(static_cast<int>(BlockCount(size, manifest_.block_size())));
  }
}

void ManifestBuilder::Update(std::span<const uint8_t> bytes) {
  whole_.Update(bytes);
  fed_ += bytes.size();
  const uint64_t block_size = manifest_.block_size();
  while (!bytes.empty()) {
    std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(block_size - in_block_, bytes.size()));
    block_.Update(bytes.first(take));
    bytes = bytes.subspan(take);
    in_block_ += take;
    if (in_block_ == block_size) EndBlock();
  }
}

void ManifestBuilder::EndBlock() {
  manifest_.add_block_sha256(crypto::DigestToBytes(block_.Final()));
  in_block_ = 0;
}

Result<ManifestAndDigest> ManifestBuilder::Finish() {
  if (size_ > kMaxPlannedSize) {
    return Error(Errc::kUnsupported, "payload of " + std::to_string(size_) + " bytes is above the 256 GiB limit");
  }
  if (fed_ != size_) {
    return Error(Errc::kCorrupt,
                 "payload is " + std::to_string(fed_) + " bytes, expected " + std::to_string(size_));
  }
  if (in_block_ > 0) EndBlock();
  crypto::Digest sha256 = whole_.Final();
  const std::string& expected = manifest_.artifact().sha256();
  if (!expected.empty() && expected != crypto::DigestToBytes(sha256)) {
    return Error(Errc::kCorrupt, "payload sha256 " + crypto::ToHex(sha256) + " differs from the expected " +
                                     crypto::ToHex(crypto::AsBytes(expected)));
  }
  manifest_.mutable_artifact()->set_sha256(crypto::DigestToBytes(sha256));
  if (manifest_.ByteSizeLong() > kMaxManifestBytes) {
    return Error(Errc::kInvalidArgument, "manifest would exceed " + std::to_string(kMaxManifestBytes) +
                                             " bytes: artifact name/product/platform too long");
  }
  return ManifestAndDigest{std::move(manifest_), sha256};
}

Result<ManifestAndDigest> BuildManifest(int fd, uint64_t size, wire::ArtifactInfo info,
                                        uint64_t created_unix_s) {
  ManifestBuilder builder(size, std::move(info), created_unix_s);
  if (size > kMaxPlannedSize) return builder.Finish();  // the size error, without reading
  std::vector<uint8_t> buf(kReadStep);
  while (builder.fed() < size) {
    std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), size - builder.fed()));
    NXT_ASSIGN(std::size_t got, detail::PreadFull(fd, std::span(buf).first(want),
                                                  static_cast<off_t>(builder.fed())));
    if (got == 0) break;  // EOF before `size`: Finish() reports the short payload
    builder.Update(std::span<const uint8_t>(buf.data(), got));
  }
  return builder.Finish();
}

std::string SerializeManifest(const wire::Manifest& manifest) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // Can only fail above 2 GiB; a manifest is bounded far below that.
    (void)manifest.SerializeToCodedStream(&coded);
  }
  return out;
}

Result<wire::Manifest> ParseManifest(std::span<const uint8_t> bytes, std::size_t max_size) {
  if (bytes.size() > max_size || bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return Corrupt(std::to_string(bytes.size()) + " bytes, more than the limit of " + std::to_string(max_size));
  }
  wire::Manifest m;
  bool parsed = false;
  try {  // protobuf reports bad input by return value; only allocation can throw
    parsed = m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const std::exception& e) {
    return Corrupt(std::string("parse failed: ") + e.what());
  }
  if (!parsed) return Corrupt("not a valid nxt.wire.Manifest");
  NXT_TRY(CheckManifest(m));
  return m;
}

}  // namespace nxt::artifact
