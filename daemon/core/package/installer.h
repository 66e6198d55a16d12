// PackageInstaller: installs Debian packages the way nxt installs plug-ins —
// checked first, nothing changed when a check fails, and always a way back.
//
//   Stage(file)    well-formed .deb for this architecture; kept as
//                  keep_dir/<package>_<version>_<arch>.deb. Changes nothing on
//                  the system (deferred activation stops here).
//   DryRun(p)      apt-get -s against the installed packages only (no
//                  repositories: dpkg -i fetches nothing): unmet dependencies,
//                  conflicts that would remove another package → refused.
//   Install(p)     DryRun, then dpkg -i. When dpkg fails (a maintainer script
//                  exits non-zero), the version installed before is put back
//                  from its kept .deb, or a package that was not installed
//                  before is purged again; the error says what was done.
//   Rollback(pkg)  reinstalls the previously installed kept .deb.
//
// keep_dir/<package>.current and .previous are symlinks to the kept .debs of
// the version nxt installed last and the one before. Blocking: each call runs
// dpkg for as long as it takes (bounded by `timeout`).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "package/deb.h"

namespace nxt::package {

struct InstallerOptions {
  std::string keep_dir;                // e.g. /var/lib/nxt/client/packages
  std::string root;                    // "" or "/": this system; else dpkg --root=DIR (tests, images)
  std::string architecture;            // "" = dpkg --print-architecture
  std::chrono::seconds timeout{600};   // per dpkg/apt run
  std::function<void()> keepalive;     // called ~1/s while dpkg/apt runs (see RunCommand)
};

struct StagedPackage {
  DebInfo info;
  std::string path;  // the kept copy
};

struct InstallOutcome {
  DebInfo installed;             // what is installed now
  std::string previous_version;  // "" when it was not installed before
};

class PackageInstaller {
 public:
  static Result<PackageInstaller> Create(InstallerOptions options);

  Result<StagedPackage> Stage(const std::string& path);
  Status DryRun(const StagedPackage& p);
  Result<InstallOutcome> Install(const StagedPackage& p);
  Result<InstallOutcome> Rollback(const std::string& package);
  // "" when the package is not (fully) installed.
  Result<std::string> InstalledVersion(const std::string& package);

  const std::string& architecture() const { return opt_.architecture; }

 private:
  explicit PackageInstaller(InstallerOptions o) : opt_(std::move(o)) {}
  std::vector<std::string> Dpkg(std::vector<std::string> args) const;
  Result<std::string> DpkgInstall(const std::string& deb);  // "" on success, else dpkg's story
  Error RestoreAfterFailure(const std::string& package, const std::string& before, const std::string& kept_before,
                             const std::string& failure);
  std::string Link(const std::string& package, const char* which) const;
  std::string KeptDebOf(const std::string& package, const std::string& version);  // "" if none
  Status Record(const StagedPackage& now, const std::string& previous_deb);

  InstallerOptions opt_;
};

}  // namespace nxt::package
