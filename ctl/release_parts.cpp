#include "ctl/release_parts.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "artifact/file_io.h"
#include "artifact/release.h"
#include "ctl/deb_push.h"
#include "plugin/elf.h"

namespace nxt::ctl {
namespace {

// Appends `size` bytes of `src` from `offset` to `dst` (a memfd: copy_file_range
// refuses to cross file systems, so by hand, 1 MiB at a time).
Status Append(int src, uint64_t offset, uint64_t size, int dst) {
  std::vector<uint8_t> buf(1 << 20);
  for (uint64_t done = 0; done < size;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done));
    NXT_ASSIGN(size_t got, artifact::detail::PreadFull(src, std::span(buf).first(want), static_cast<off_t>(offset + done)));
    if (got == 0) return Error(Errc::kIo, "file shrank while reading it");
    NXT_TRY(artifact::detail::WriteAll(dst, std::span<const uint8_t>(buf.data(), got)));
    done += got;
  }
  return Ok();
}

// One part: its payload appended to `out` and described in `part`.
Status AddPart(const PlatformFile& file, int out, control::PlatformArtifact* part) {
  UniqueFd fd(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("cannot open " + file.path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + file.path);
  if (!S_ISREG(st.st_mode) || st.st_size == 0)
    return Error(Errc::kInvalidArgument, "cannot push " + file.path + ": not a regular, non-empty file");
  NXT_ASSIGN(auto bundle, artifact::ReadBundleHeader(fd.get()));
  uint64_t from = 0;
  if (bundle) {
    part->set_signed_manifest(bundle->signed_manifest);
    from = bundle->payload_offset;
  }
  std::string platform = file.platform;
  control::Push deb;  // a .deb part: kind and platform from dpkg-deb
  NXT_ASSIGN(bool is_deb, DescribeDebPush(fd.get(), file.path, &deb));
  if (is_deb) {
    part->set_kind(deb.kind());
    if (!platform.empty() && !deb.platform().empty() && platform != deb.platform())
      return Error(Errc::kInvalidArgument, file.path + " is a package for " + deb.platform() + ", not " + platform);
    if (platform.empty()) platform = deb.platform();
  }
  if (platform.empty()) {
    auto read = plugin::PlatformOf("/proc/self/fd/" + std::to_string(fd.get()));
    if (!read.ok())
      return Error(Errc::kInvalidArgument, "cannot tell the platform of " + file.path + " (" + read.error().message() +
                                               "); name it: " + file.path + "@linux-arm64-gnu");
    platform = *read;
  }
  std::error_code ec;
  part->set_path(std::filesystem::absolute(file.path, ec).lexically_normal().string());
  part->set_platform(platform);
  struct stat out_st {};
  if (::fstat(out, &out_st) != 0) return ErrnoError("memfd");
  part->set_offset(static_cast<uint64_t>(out_st.st_size));
  part->set_size(static_cast<uint64_t>(st.st_size) - from);
  Status copied = Append(fd.get(), from, part->size(), out);
  if (!copied.ok()) return std::move(copied).error().WithContext(file.path);
  return Ok();
}

// The signed version: --release NAME:M.m, else --version, else the part this
// host can load says what it is.
Status DescribeParts(const ReleaseName& name, const ReleaseArgs& args, const std::vector<PlatformFile>& files,
                     control::Push* push) {
  ReleaseArgs described = args;
  if (!name.version.empty()) described.version = name.version;
  std::string probe;
  for (size_t i = 0; i < files.size(); ++i)
    if (push->parts(static_cast<int>(i)).platform() == plugin::HostPlatform()) probe = files[i].path;
  bool all_debs = true;
  for (const auto& part : push->parts()) all_debs = all_debs && !part.kind().empty();
  if (all_debs) return Ok();  // a package carries its own version; the host reads it with dpkg-deb
  if (described.version.empty() && probe.empty())
    return Error(Errc::kInvalidArgument, "no part of this release runs here to read its version from; give "
                                         "--release NAME:MAJOR.MINOR");
  NXT_ASSIGN(wire::ArtifactInfo info, DescribeRelease(probe, described));
  push->set_product(info.product());
  push->set_major(info.major());
  push->set_minor(info.minor());
  push->set_downgrade(args.downgrade);
  push->set_expires_days(args.expires_days);
  return Ok();
}

}  // namespace

Result<PlatformFile> ParsePlatformFile(const std::string& arg) {
  const size_t at = arg.rfind('@');
  if (at == std::string::npos) return PlatformFile{arg, ""};
  PlatformFile f{arg.substr(0, at), arg.substr(at + 1)};
  if (f.path.empty() || f.platform.empty() || f.platform.find('/') != std::string::npos)
    return Error(Errc::kInvalidArgument, "expected FILE@PLATFORM, e.g. libfunctional.so@linux-arm64-gnu (got '" +
                                             arg + "')");
  return f;
}

Result<ReleaseName> ParseReleaseName(const std::string& arg) {
  const size_t colon = arg.find(':');
  ReleaseName r{arg.substr(0, colon), colon == std::string::npos ? "" : arg.substr(colon + 1)};
  if (r.name.empty() || (colon != std::string::npos && r.version.empty()))
    return Error(Errc::kInvalidArgument, "--release must be NAME[:MAJOR.MINOR], e.g. libfunctional:8.6 (got '" +
                                             arg + "')");
  return r;
}

bool IsPlatformRelease(const std::vector<std::string>& files, const std::string& release) {
  if (!release.empty() || files.size() > 1) return true;
  return !files.empty() && files[0].find('@') != std::string::npos;
}

Result<UniqueFd> BuildReleaseParts(const std::vector<std::string>& args_files, const std::string& release,
                                   const ReleaseArgs& args, control::Push* push) {
  if (release.empty())
    return Error(Errc::kInvalidArgument, "several files or FILE@PLATFORM make a release: name it with "
                                         "--release NAME:MAJOR.MINOR");
  NXT_ASSIGN(ReleaseName name, ParseReleaseName(release));
  std::vector<PlatformFile> files;
  for (const std::string& a : args_files) {
    NXT_ASSIGN(PlatformFile f, ParsePlatformFile(a));
    files.push_back(std::move(f));
  }
  UniqueFd out(::memfd_create("nxt-release", MFD_CLOEXEC));
  if (!out) return ErrnoError("memfd_create");
  std::set<std::string> platforms;
  for (const PlatformFile& f : files) {
    control::PlatformArtifact* part = push->add_parts();
    NXT_TRY(AddPart(f, out.get(), part));
    if (!platforms.insert(part->platform()).second)
      return Error(Errc::kInvalidArgument, "two files for " + part->platform() + " (" + f.path + ")");
  }
  push->set_release_name(name.name);
  push->set_path(name.name);
  NXT_TRY(DescribeParts(name, args, files, push));
  return out;
}

}  // namespace nxt::ctl
