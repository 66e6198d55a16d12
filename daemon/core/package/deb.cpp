#include "package/deb.h"

#include "package/command.h"

namespace nxt::package {
namespace {
constexpr std::chrono::seconds kQueryTimeout{60};
}  // namespace

Result<DebInfo> ReadDeb(const std::string& path) {
  NXT_ASSIGN(CommandResult r, RunCommand({"dpkg-deb", "--show", "--showformat=${Package}\\t${Version}\\t${Architecture}\\n",
                                          path},
                                         kQueryTimeout));
  if (r.exit_code != 0)
    return Error(Errc::kCorrupt, "not a well-formed Debian package: " + LastLines(r.output, 2));
  const std::string line = r.output.substr(0, r.output.find('\n'));
  const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 == std::string::npos ? t1 : t1 + 1);
  if (t1 == std::string::npos || t2 == std::string::npos)
    return Error(Errc::kCorrupt, "not a well-formed Debian package: no Package/Version/Architecture");
  DebInfo info{line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)};
  if (info.package.empty() || info.version.empty() || info.architecture.empty())
    return Error(Errc::kCorrupt, "not a well-formed Debian package: empty Package, Version or Architecture");
  return info;
}

Result<std::string> HostArchitecture() {
  NXT_ASSIGN(CommandResult r, RunCommand({"dpkg", "--print-architecture"}, kQueryTimeout));
  std::string arch = r.output.substr(0, r.output.find('\n'));
  if (r.exit_code != 0 || arch.empty()) return Error(Errc::kIo, "dpkg --print-architecture: " + LastLines(r.output, 1));
  return arch;
}

Status CheckArchitecture(const DebInfo& deb, const std::string& host_arch) {
  if (deb.architecture == "all" || deb.architecture == host_arch) return Ok();
  return Error(Errc::kUnsupported,
               "package " + deb.package + " " + deb.version + " is for " + deb.architecture + ", this host is " + host_arch);
}

std::string PlatformOfDeb(const DebInfo& deb) {
  return deb.architecture == "all" ? "" : "linux-" + deb.architecture + "-gnu";
}

bool LooksLikeDeb(const std::string& first_bytes) {
  return first_bytes.starts_with("!<arch>\ndebian-binary");
}

}  // namespace nxt::package
