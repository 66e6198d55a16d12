#include "client/package_host.h"

#include <unistd.h>

namespace nxt::client {
namespace {
constexpr sys::MessageId kMsgPackageInstalled("7c1e5a3b9d2f4e60a8b7c6d5e4f3a220");
constexpr sys::MessageId kMsgPackageFailed("7c1e5a3b9d2f4e60a8b7c6d5e4f3a221");
// 600 s per dpkg/apt run: maintainer scripts may restart services; a hung one
// is killed and reported rather than stalling the host forever.
constexpr std::chrono::seconds kDpkgTimeout{600};
}  // namespace

void PackageHost::Configure(bool enabled, const std::string& root) {
  enabled_ = enabled;
  if (root != root_) installer_.reset();
  root_ = root;
}

Status PackageHost::Accepts() const {
  if (!enabled_)
    return Error(Errc::kUnsupported, "package payloads are disabled on this host (set packages = true in its config)");
  if (::geteuid() != 0)
    return Error(Errc::kUnsupported, "package payloads need nxt-clientd to run as root (the packages drop-in in the README)");
  return Ok();
}

Result<package::PackageInstaller*> PackageHost::Installer() {
  NXT_TRY(Accepts());
  if (!installer_) {
    NXT_ASSIGN(package::PackageInstaller made, package::PackageInstaller::Create({keep_dir_, root_, "", kDpkgTimeout, keepalive_}));
    installer_.emplace(std::move(made));
  }
  return &*installer_;
}

Result<package::StagedPackage> PackageHost::Stage(const std::string& store_path) {
  NXT_ASSIGN(package::PackageInstaller * installer, Installer());
  return installer->Stage(store_path);
}

Result<package::InstallOutcome> PackageHost::Activate(const package::StagedPackage& staged) {
  NXT_ASSIGN(package::PackageInstaller * installer, Installer());
  auto out = installer->Install(staged);
  if (!out.ok()) {
    log_.Error(kMsgPackageFailed, "package " + staged.info.package + " " + staged.info.version +
                                      " not installed: " + out.error().message(),
               {{"NXT_PACKAGE", staged.info.package}, {"NXT_PACKAGE_VERSION", staged.info.version}});
    return out;
  }
  log_.Info(kMsgPackageInstalled, "package installed: " + DescribeInstall(*out),
            {{"NXT_PACKAGE", out->installed.package}, {"NXT_PACKAGE_VERSION", out->installed.version},
             {"NXT_PACKAGE_PREVIOUS", out->previous_version}});
  return out;
}

Result<package::InstallOutcome> PackageHost::Install(const std::string& store_path) {
  NXT_ASSIGN(package::StagedPackage staged, Stage(store_path));
  return Activate(staged);
}

Result<package::InstallOutcome> PackageHost::Rollback(const std::string& package) {
  NXT_ASSIGN(package::PackageInstaller * installer, Installer());
  auto out = installer->Rollback(package);
  if (out.ok()) log_.Info(kMsgPackageInstalled, "package rolled back: " + DescribeInstall(*out),
                          {{"NXT_PACKAGE", out->installed.package}, {"NXT_PACKAGE_VERSION", out->installed.version}});
  return out;
}

std::string DescribeInstall(const package::InstallOutcome& out) {
  return out.installed.package + " " + out.installed.version +
         (out.previous_version.empty() ? " (new)" : " (was " + out.previous_version + ")");
}

}  // namespace nxt::client
