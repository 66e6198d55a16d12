#include "ctl/release.h"

#include <charconv>

#include "plugin/plugin.h"

namespace nxt::ctl {
namespace {

Status ParseVersion(const std::string& text, wire::ArtifactInfo* out) {
  size_t dot = text.find('.');
  uint32_t major = 0, minor = 0;
  auto bad = Error(Errc::kInvalidArgument, "--version must be MAJOR.MINOR, e.g. 8.6 (got '" + text + "')");
  if (dot == std::string::npos) return bad;
  auto r1 = std::from_chars(text.data(), text.data() + dot, major);
  auto r2 = std::from_chars(text.data() + dot + 1, text.data() + text.size(), minor);
  if (r1.ec != std::errc() || r1.ptr != text.data() + dot || r2.ec != std::errc() ||
      r2.ptr != text.data() + text.size())
    return bad;
  out->set_major(major);
  out->set_minor(minor);
  return Ok();
}

}  // namespace

Result<wire::ArtifactInfo> DescribeRelease(const std::string& path, const ReleaseArgs& args) {
  wire::ArtifactInfo info;
  if (!args.version.empty()) {
    NXT_TRY(ParseVersion(args.version, &info));
    info.set_product(args.product.empty() ? "nxtgen" : args.product);
    return info;
  }
  auto loaded = plugin::Load(path);
  if (!loaded.ok())
    return Error(Errc::kInvalidArgument, "cannot read the version from the plug-in (" + loaded.error().message() +
                                             "); give --version MAJOR.MINOR and --product NAME");
  info.set_product(args.product.empty() ? loaded->version().product : args.product);
  info.set_major(loaded->version().major);
  info.set_minor(loaded->version().minor);
  return info;
}

}  // namespace nxt::ctl
