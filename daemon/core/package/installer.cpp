#include "package/installer.h"

#include <filesystem>

#include "package/command.h"
#include "sys/atomic_file.h"

namespace nxt::package {
namespace {

// Non-interactive: no debconf questions, keep the admin's changed conffiles.
const std::vector<std::string> kEnv = {"DEBIAN_FRONTEND=noninteractive", "DEBCONF_NONINTERACTIVE_SEEN=true",
                                       "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};

bool SafeName(const std::string& s) { return !s.empty() && s.find('/') == std::string::npos && s[0] != '.'; }

}  // namespace

Result<PackageInstaller> PackageInstaller::Create(InstallerOptions o) {
  NXT_TRY(sys::EnsureDir(o.keep_dir, 0750));
  if (o.root == "/") o.root.clear();
  if (o.architecture.empty()) {
    NXT_ASSIGN(o.architecture, HostArchitecture());
  }
  return PackageInstaller(std::move(o));
}

std::vector<std::string> PackageInstaller::Dpkg(std::vector<std::string> args) const {
  std::vector<std::string> argv = {"dpkg"};
  if (!opt_.root.empty()) argv.push_back("--root=" + opt_.root);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string PackageInstaller::Link(const std::string& package, const char* which) const {
  return opt_.keep_dir + "/" + package + "." + which;
}

Result<StagedPackage> PackageInstaller::Stage(const std::string& path) {
  NXT_ASSIGN(DebInfo info, ReadDeb(path));
  NXT_TRY(CheckArchitecture(info, opt_.architecture));
  if (!SafeName(info.package) || !SafeName(info.version))
    return Error(Errc::kCorrupt, "package name or version not usable as a file name: " + info.package);
  StagedPackage p{info, opt_.keep_dir + "/" + info.package + "_" + info.version + "_" + info.architecture + ".deb"};
  std::error_code ec;
  const std::string tmp = p.path + ".tmp";
  std::filesystem::copy_file(path, tmp, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return Error(Errc::kIo, "cannot keep " + p.path + ": " + ec.message());
  NXT_TRY(sys::RenameDurable(tmp, p.path));
  return p;
}

Status PackageInstaller::DryRun(const StagedPackage& p) {
  const std::string admindir = (opt_.root.empty() ? "" : opt_.root) + "/var/lib/dpkg";
  const std::string scratch = opt_.keep_dir + "/.apt";
  NXT_TRY(sys::EnsureDir(scratch + "/lists/partial", 0750));
  NXT_TRY(sys::EnsureDir(scratch + "/sources.list.d", 0750));
  NXT_TRY(sys::WriteFileAtomic(scratch + "/sources.list", std::string_view("")));
  // Only what is installed counts: no repositories, no caches, no lock.
  NXT_ASSIGN(CommandResult r,
             RunCommand({"apt-get", "-s", "-q", "-o", "Dir::State::status=" + admindir + "/status", "-o",
                         "Dir::Etc::SourceList=" + scratch + "/sources.list", "-o",
                         "Dir::Etc::SourceParts=" + scratch + "/sources.list.d", "-o", "Dir::State::Lists=" + scratch + "/lists",
                         "-o", "Dir::Cache=" + scratch, "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
                         "-o", "Debug::NoLocking=1", "install", p.path},
                        opt_.timeout, kEnv, opt_.keepalive));
  if (r.exit_code != 0) {
    std::string why = r.output.find("unmet dependencies") != std::string::npos ? "unmet dependencies: " : "";
    return Error(Errc::kUnsupported, "refused " + p.info.package + " " + p.info.version + " before installing (" +
                                         why + LastLines(r.output, 2) + ")");
  }
  // "Remv other [1.0]": installing would take another package away.
  for (size_t at = r.output.find("\nRemv "); at != std::string::npos; at = r.output.find("\nRemv ", at + 1)) {
    std::string removed = r.output.substr(at + 6, r.output.find(' ', at + 6) - at - 6);
    if (removed != p.info.package && removed.substr(0, removed.find(':')) != p.info.package)
      return Error(Errc::kUnsupported, "refused " + p.info.package + " " + p.info.version +
                                           " before installing: it would remove " + removed);
  }
  return Ok();
}

Result<std::string> PackageInstaller::InstalledVersion(const std::string& package) {
  std::vector<std::string> argv = {"dpkg-query"};
  if (!opt_.root.empty()) argv.push_back("--admindir=" + opt_.root + "/var/lib/dpkg");
  argv.insert(argv.end(), {"-W", "-f=${db:Status-Status}\\t${Version}\\n", package});
  NXT_ASSIGN(CommandResult r, RunCommand(argv, opt_.timeout, kEnv, opt_.keepalive));
  if (r.exit_code != 0) return std::string();  // unknown to dpkg
  const std::string line = r.output.substr(0, r.output.find('\n'));
  if (!line.starts_with("installed\t")) return std::string();
  return line.substr(line.find('\t') + 1);
}

Result<std::string> PackageInstaller::DpkgInstall(const std::string& deb) {
  NXT_ASSIGN(CommandResult r, RunCommand(Dpkg({"--force-confdef", "--force-confold", "-i", deb}), opt_.timeout, kEnv, opt_.keepalive));
  if (r.exit_code == 0) return std::string();
  return (r.timed_out ? "dpkg timed out: " : "dpkg -i failed: ") + LastLines(r.output, 3);
}

std::string PackageInstaller::KeptDebOf(const std::string& package, const std::string& version) {
  for (const char* which : {"current", "previous"}) {
    auto target = sys::ReadSymlink(Link(package, which));
    if (!target.ok()) continue;
    auto info = ReadDeb(*target);
    if (info.ok() && info->version == version) return *target;
  }
  return "";
}

Status PackageInstaller::Record(const StagedPackage& now, const std::string& previous_deb) {
  if (!previous_deb.empty() && previous_deb != now.path)
    NXT_TRY(sys::ReplaceSymlinkAtomic(previous_deb, Link(now.info.package, "previous")));
  return sys::ReplaceSymlinkAtomic(now.path, Link(now.info.package, "current"));
}

Error PackageInstaller::RestoreAfterFailure(const std::string& package, const std::string& before,
                                             const std::string& kept_before, const std::string& failure) {
  if (before.empty()) {
    NXT_ASSIGN(CommandResult r, RunCommand(Dpkg({"--purge", package}), opt_.timeout, kEnv, opt_.keepalive));
    return Error(Errc::kIo, failure + (r.exit_code == 0 ? "; removed it again (it was not installed before)"
                                                        : "; could not remove it again: " + LastLines(r.output, 2)));
  }
  if (kept_before.empty())
    return Error(Errc::kIo, failure + "; cannot roll back: no kept .deb of " + package + " " + before +
                                " (installed outside nxt)");
  NXT_ASSIGN(std::string again, DpkgInstall(kept_before));
  if (!again.empty()) return Error(Errc::kIo, failure + "; rollback to " + before + " failed too: " + again);
  return Error(Errc::kIo, failure + "; rolled back to " + package + " " + before);
}

Result<InstallOutcome> PackageInstaller::Install(const StagedPackage& p) {
  NXT_TRY(DryRun(p));
  NXT_ASSIGN(std::string before, InstalledVersion(p.info.package));
  const std::string kept_before = before.empty() ? "" : KeptDebOf(p.info.package, before);
  NXT_ASSIGN(std::string failure, DpkgInstall(p.path));
  if (!failure.empty()) return RestoreAfterFailure(p.info.package, before, kept_before, failure);
  NXT_TRY(Record(p, kept_before));
  NXT_ASSIGN(std::string now, InstalledVersion(p.info.package));
  return InstallOutcome{DebInfo{p.info.package, now, p.info.architecture}, before};
}

Result<InstallOutcome> PackageInstaller::Rollback(const std::string& package) {
  auto previous = sys::ReadSymlink(Link(package, "previous"));
  if (!previous.ok()) return Error(Errc::kNotFound, "no previous version of " + package + " to roll back to");
  NXT_ASSIGN(StagedPackage p, Stage(*previous));
  // Install() records the version it replaces as previous: a second rollback goes forward again.
  return Install(p);
}

}  // namespace nxt::package
