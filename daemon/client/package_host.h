// PackageHost: the client's side of Debian packages as payloads. Off unless
// the host's config says `packages = true`; then a verified .deb release is
// handed to package::PackageInstaller (state_dir/packages keeps every .deb it
// installed, for rollback). Says why a package release is refused here
// (disabled, not root) so the Transfer can fail before the payload is fetched.
//
// For deferred activation and the fleet's activate/rollback commands:
//   Stage(store_path)    at download time (--later): checked and kept, nothing installed
//   Activate(staged)     on `activate`: dry run, dpkg -i, automatic rollback
//   Rollback(package)    on `rollback`: reinstall the previous kept .deb
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "package/installer.h"
#include "sys/log.h"

namespace nxt::client {

class PackageHost {
 public:
  PackageHost(std::string state_dir, sys::Logger& log) : keep_dir_(std::move(state_dir) + "/packages"), log_(log) {}

  // From the config, at start and on every reload.
  void Configure(bool enabled, const std::string& root);
  // Called ~1/s while dpkg runs: the client pings systemd's watchdog, whose
  // 30 s a long maintainer script would otherwise outlast.
  void set_keepalive(std::function<void()> f) { keepalive_ = std::move(f); }
  bool enabled() const { return enabled_; }
  // Ok, or why this host refuses package releases now.
  Status Accepts() const;

  Result<package::StagedPackage> Stage(const std::string& store_path);
  Result<package::InstallOutcome> Activate(const package::StagedPackage& staged);
  // Stage + Activate: what an immediate push does.
  Result<package::InstallOutcome> Install(const std::string& store_path);
  Result<package::InstallOutcome> Rollback(const std::string& package);

 private:
  Result<package::PackageInstaller*> Installer();

  std::string keep_dir_, root_ = "/";
  bool enabled_ = false;
  std::function<void()> keepalive_;
  sys::Logger& log_;
  std::optional<package::PackageInstaller> installer_;  // made on first use, again after a root change
};

// "hello 2.0 (was 1.0)" / "hello 2.0 (new)"
std::string DescribeInstall(const package::InstallOutcome& out);

}  // namespace nxt::client
