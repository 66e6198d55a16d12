#include "client/staging.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sstream>

#include "artifact/manifest.h"
#include "base/crash_point.h"
#include "artifact/sealed_payload.h"
#include "crypto/digest.h"
#include "sys/atomic_file.h"

namespace nxt::client {
namespace {
constexpr std::string_view kStateMagic = "nxt-staging 1";
// Consecutive chunks are written together: one pwrite per 256 KiB instead of
// one per ~1.1 KiB chunk (a syscall costs ~1 us here).
constexpr size_t kWriteRun = 256 * 1024;

std::string GeometryLine(const transfer::Geometry& g) {
  return "geometry " + std::to_string(g.payload_size()) + " " + std::to_string(g.block_size()) + " " +
         std::to_string(g.chunk_size()) + " " + std::to_string(g.manifest_size());
}
}  // namespace

Result<StagingFile> StagingFile::Open(const std::string& dir, const wire::Offer& offer, const transfer::Geometry& geom,
                                      const artifact::TrustPolicy& policy, const Clock& clock,
                                      const std::optional<crypto::ContentKey>& content_key) {
  NXT_ASSIGN(crypto::Digest sha, crypto::DigestFromBytes(offer.artifact().sha256()));
  StagingFile s;
  if (content_key) {
    NXT_ASSIGN(crypto::AeadKey key, crypto::AeadKey::Create(*content_key));
    s.content_key_.emplace(std::move(key));
  }
  s.policy_ = &policy;
  s.clock_ = &clock;
  s.dir_ = dir;
  s.offer_ = offer;
  s.geom_ = geom;
  s.sha_hex_ = crypto::ToHex(sha);
  s.part_path_ = dir + "/" + s.sha_hex_ + ".part";
  s.state_path_ = dir + "/" + s.sha_hex_ + ".state";
  s.manifest_path_ = dir + "/" + s.sha_hex_ + ".manifest";
  s.manifest_bytes_.assign(geom.manifest_size(), '\0');
  int fd = ::open(s.part_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("open " + s.part_path_);
  s.fd_.Reset(fd);
  if (ftruncate(fd, static_cast<off_t>(geom.payload_size())) != 0) return ErrnoError("ftruncate " + s.part_path_);
  Status st = s.LoadState();
  if (!st.ok()) {  // unusable state: start over, but say so
    s.verified_.Clear();
    s.manifest_ok_ = false;
    s.resumed_ = false;
  }
  return s;
}

Status StagingFile::LoadState() {
  auto text = sys::ReadFile(state_path_, 1 << 20);
  if (!text.ok()) return text.error();
  std::istringstream in(*text);
  std::string line;
  if (!std::getline(in, line) || line != kStateMagic) return Error(Errc::kCorrupt, "bad staging state header");
  if (!std::getline(in, line) || line != GeometryLine(geom_)) return Error(Errc::kCorrupt, "staging state of other geometry");
  auto manifest = sys::ReadFile(manifest_path_, transfer::Geometry::kMaxManifest);
  if (manifest.ok() && manifest->size() == manifest_bytes_.size()) {
    manifest_bytes_ = *manifest;
    auto ok = VerifyManifest();
    if (!ok.ok() || !*ok) manifest_bytes_.assign(geom_.manifest_size(), '\0');
  }
  uint64_t b = 0, e = 0;
  while (in >> b >> e)
    if (b < e && e <= geom_.blocks()) verified_.Add(b, e);
  if (!manifest_ok_) verified_.Clear();
  resumed_ = manifest_ok_ || !verified_.empty();
  return Ok();
}

RangeSet StagingFile::Trusted() const {
  RangeSet held;
  if (!manifest_ok_) return held;
  held.Add(0, geom_.manifest_chunks());
  for (const Interval& iv : verified_.ToVector()) {
    uint64_t first = geom_.BlockChunks(iv.begin).first;
    uint64_t end = geom_.BlockChunks(iv.end - 1).second;
    held.Add(first, end);
  }
  return held;
}

Status StagingFile::Write(const transfer::ChunkSpan& span, std::string_view data) {
  if (span.manifest) {
    manifest_bytes_.replace(span.offset, span.length, data);
    return Ok();
  }
  if (!run_.empty() && (span.offset != run_offset_ + run_.size() || run_.size() + data.size() > kWriteRun))
    NXT_TRY(FlushWrites());
  if (run_.empty()) run_offset_ = span.offset;
  run_.insert(run_.end(), data.begin(), data.end());
  StreamHash(span, crypto::AsBytes(data));
  return Ok();
}

// A plain block whose chunks arrive in order (the common case) is hashed as
// it arrives, so verifying it needs no read-back; anything else (a gap, a
// resumed or refetched block, an encrypted release) falls back to reading
// the block from the staged file.
void StagingFile::StreamHash(const transfer::ChunkSpan& span, std::span<const uint8_t> data) {
  if (content_key_) return;
  const uint64_t block_start = span.block * geom_.block_size();
  if (span.offset == block_start) {
    stream_.Reset();
    stream_block_ = span.block;
  } else if (span.block != stream_block_ || span.offset != stream_next_) {
    if (span.block == stream_block_) stream_block_ = kNoBlock;
    return;
  }
  stream_.Update(data);
  stream_next_ = span.offset + data.size();
}

Status StagingFile::FlushWrites() {
  size_t done = 0;
  while (done < run_.size()) {
    ssize_t n = pwrite(fd_.get(), run_.data() + done, run_.size() - done, static_cast<off_t>(run_offset_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      run_.clear();  // dropped: those chunks are never reported held, so they are refetched
      return ErrnoError("pwrite " + part_path_);
    }
    if (n == 0) {
      run_.clear();
      return Error(Errc::kNoSpace, "short write to " + part_path_ + " (file system full: no space left)");
    }
    done += static_cast<size_t>(n);
  }
  run_.clear();
  return Ok();
}

Result<bool> StagingFile::VerifyManifest() {
  crypto::Digest got = crypto::Sha256Of(manifest_bytes_);
  if (crypto::DigestToBytes(got) != offer_.manifest_sha256()) return false;
  auto parsed = artifact::OpenSignedManifest(crypto::AsBytes(manifest_bytes_), *policy_, clock_->UnixMs() / 1000);
  if (!parsed.ok()) return parsed.error();
  const wire::Manifest& m = *parsed;
  // Encrypted: the wire carries sealed blocks, each 16 bytes (the tag) longer.
  uint64_t wire_size = content_key_ ? artifact::SealedSize(m.size(), m.block_size()) : m.size();
  uint32_t wire_block = m.block_size() + (content_key_ ? artifact::kSealedBlockOverhead : 0);
  if (wire_size != geom_.payload_size() || wire_block != geom_.block_size() ||
      static_cast<uint64_t>(m.block_sha256_size()) != geom_.blocks() ||
      m.artifact().sha256() != offer_.artifact().sha256())
    return Error(Errc::kCorrupt, "manifest does not match the offer");
  manifest_ = m;
  manifest_ok_ = true;
  return true;
}

Result<std::span<const uint8_t>> StagingFile::PlainBlock(uint64_t b) {
  NXT_TRY(FlushWrites());
  uint64_t len = geom_.BlockLength(b);
  block_buf_.resize(len);
  ssize_t n = pread(fd_.get(), block_buf_.data(), len, static_cast<off_t>(b * geom_.block_size()));
  if (n != static_cast<ssize_t>(len)) return ErrnoError("pread " + part_path_);
  auto sealed = crypto::AsBytes(block_buf_);
  if (!content_key_) return sealed;
  plain_buf_.resize(len);
  auto opened = artifact::OpenSealedBlock(*content_key_, b, crypto::AsBytes(offer_.artifact().sha256()), sealed,
                                          plain_buf_);
  if (!opened.ok()) return opened.error();
  return std::span<const uint8_t>(plain_buf_.data(), *opened);
}

Result<bool> StagingFile::VerifyBlock(uint64_t block) {
  if (!manifest_ok_ || block >= geom_.blocks()) return Error(Errc::kInvalidArgument, "block verified too early");
  if (stream_block_ == block && stream_next_ == block * geom_.block_size() + geom_.BlockLength(block)) {
    stream_block_ = kNoBlock;
    if (crypto::DigestToBytes(stream_.Final()) != manifest_.block_sha256(static_cast<int>(block))) return false;
    verified_.Add(block);
    return true;
  }
  auto plain = PlainBlock(block);
  if (!plain.ok()) {
    if (plain.error().code() == Errc::kCorrupt) return false;  // sealed block did not authenticate: refetch
    return plain.error();
  }
  if (crypto::DigestToBytes(crypto::Sha256Of(*plain)) != manifest_.block_sha256(static_cast<int>(block)))
    return false;
  verified_.Add(block);
  return true;
}

Status StagingFile::Checkpoint() {
  if (!manifest_ok_) return Ok();
  // Order matters: data first, then the claim that it is there.
  NXT_TRY(FlushWrites());
  if (fdatasync(fd_.get()) != 0) return ErrnoError("fdatasync " + part_path_);
  NXT_CRASH_POINT("client.checkpoint_synced");
  if (!sys::ReadFile(manifest_path_, transfer::Geometry::kMaxManifest).ok())
    NXT_TRY(sys::WriteFileAtomic(manifest_path_, std::string_view(manifest_bytes_), 0600));
  std::string state = std::string(kStateMagic) + "\n" + GeometryLine(geom_) + "\n";
  for (const Interval& iv : verified_.ToVector()) state += std::to_string(iv.begin) + " " + std::to_string(iv.end) + "\n";
  return sys::WriteFileAtomic(state_path_, std::string_view(state), 0600);
}

Result<std::string> StagingFile::Finalize(const std::string& store_dir) {
  if (!manifest_ok_ || !AllBlocksVerified()) return Error(Errc::kInvalidArgument, "finalize before verification");
  NXT_TRY(FlushWrites());
  if (content_key_) return FinalizeSealed(store_dir + "/" + sha_hex_ + ".so");
  struct stat st {};
  if (fstat(fd_.get(), &st) != 0) return ErrnoError("fstat " + part_path_);
  if (static_cast<uint64_t>(st.st_size) != geom_.payload_size())
    return Error(Errc::kCorrupt, "staged file has " + std::to_string(st.st_size) + " bytes, expected " +
                                     std::to_string(geom_.payload_size()));
  NXT_CRASH_POINT("client.verified");  // every block checked against the signed manifest, size too
  if (fsync(fd_.get()) != 0) return ErrnoError("fsync " + part_path_);
  if (fchmod(fd_.get(), 0444) != 0) return ErrnoError("fchmod " + part_path_);
  std::string dest = store_dir + "/" + sha_hex_ + ".so";
  NXT_CRASH_POINT("client.synced");
  NXT_TRY(sys::RenameDurable(part_path_, dest));
  NXT_CRASH_POINT("client.renamed");
  ::unlink(state_path_.c_str());
  ::unlink(manifest_path_.c_str());
  return dest;
}

// Encrypted release: staging keeps the ciphertext; the store gets the
// plaintext, written block by block (each block authenticated again), hashed
// as written, synced, then renamed into place.
Result<std::string> StagingFile::FinalizeSealed(const std::string& dest) {
  std::string tmp = dest + ".tmp";
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444));
  if (!out) return ErrnoError("open " + tmp);
  crypto::Sha256 check;
  for (uint64_t b = 0; b < geom_.blocks(); ++b) {
    NXT_ASSIGN(auto plain, PlainBlock(b));
    check.Update(plain);
    if (::write(out.get(), plain.data(), plain.size()) != static_cast<ssize_t>(plain.size())) {
      int err = errno;
      ::unlink(tmp.c_str());
      return ErrnoError("write " + tmp, err);
    }
  }
  if (crypto::DigestToBytes(check.Final()) != offer_.artifact().sha256()) {
    ::unlink(tmp.c_str());
    return Error(Errc::kCorrupt, "SHA-256 of the decrypted release does not match the release");
  }
  if (fsync(out.get()) != 0) return ErrnoError("fsync " + tmp);
  out.Reset();
  NXT_TRY(sys::RenameDurable(tmp, dest));
  Discard();
  return dest;
}

void StagingFile::Discard() {
  ::unlink(part_path_.c_str());
  ::unlink(state_path_.c_str());
  ::unlink(manifest_path_.c_str());
}

}  // namespace nxt::client
