// PackageInstaller against a throw-away dpkg root (dpkg --root), with packages
// built here by dpkg-deb --build. Maintainer scripts run chrooted into that
// root, so it gets a /bin/sh (the host's, with the libraries it needs), and
// the tests need root for chroot(2); elsewhere they skip and say so.
#include "package/installer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "package/command.h"
#include "sys/atomic_file.h"

namespace nxt::package {
namespace {

namespace fs = std::filesystem;

void WriteText(const fs::path& p, const std::string& text, fs::perms mode = fs::perms(0644)) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  fs::permissions(p, mode);
}

std::string ReadText(const fs::path& p) {
  auto text = sys::ReadFile(p.string(), 1 << 20);
  return text.ok() ? *text : "(" + text.error().message() + ")";
}

// Copies /bin/sh and the shared libraries it loads (from ldd) into `root`.
void GiveRootAShell(const fs::path& root) {
  auto ldd = RunCommand({"ldd", "/bin/sh"}, std::chrono::seconds(30));
  ASSERT_TRUE(ldd.ok() && ldd->exit_code == 0);
  std::vector<std::string> files = {fs::canonical("/bin/sh")};
  std::istringstream lines(ldd->output);
  for (std::string line; std::getline(lines, line);) {
    for (std::istringstream words(line); words;) {
      std::string w;
      words >> w;
      if (w.starts_with("/")) files.push_back(w);
    }
  }
  for (const std::string& f : files) {
    fs::path dest = root / fs::path(f).relative_path();
    fs::create_directories(dest.parent_path());
    fs::copy_file(f, dest, fs::copy_options::overwrite_existing);
  }
  fs::create_directories(root / "bin");
  fs::copy_file("/bin/sh", root / "bin/sh", fs::copy_options::overwrite_existing);
}

class APackageInstaller : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: dpkg chroots into the throw-away root for maintainer scripts";
    dir_ = fs::temp_directory_path() / ("nxt-package-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    root_ = dir_ / "root";
    for (const char* d : {"var/lib/dpkg/updates", "var/lib/dpkg/info", "var/lib/dpkg/triggers"})
      fs::create_directories(root_ / d);
    WriteText(root_ / "var/lib/dpkg/status", "");
    WriteText(root_ / "var/lib/dpkg/available", "");
    GiveRootAShell(root_);
    auto installer = PackageInstaller::Create({(dir_ / "keep").string(), root_.string(), "", std::chrono::seconds(120), {}});
    ASSERT_TRUE(installer.ok()) << installer.error().message();
    installer_.emplace(std::move(installer).value());
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Builds hello_<version>_<arch>.deb: installs /usr/share/hello/version; its
  // postinst exits with `postinst_exit`.
  std::string Build(const std::string& version, const std::string& depends = "", int postinst_exit = 0,
                    std::string arch = "") {
    if (arch.empty()) arch = installer_->architecture();
    fs::path src = dir_ / ("src-" + version + "-" + arch);
    WriteText(src / "usr/share/hello/version", version + "\n");
    WriteText(src / "DEBIAN/control", "Package: hello\nVersion: " + version + "\nArchitecture: " + arch +
                                          "\nMaintainer: nxt tests <t@nxt.invalid>\nDescription: test package\n" +
                                          (depends.empty() ? "" : "Depends: " + depends + "\n"));
    WriteText(src / "DEBIAN/postinst", "#!/bin/sh\nexit " + std::to_string(postinst_exit) + "\n", fs::perms(0755));
    std::string out = (dir_ / ("hello_" + version + "_" + arch + ".deb")).string();
    auto r = RunCommand({"dpkg-deb", "--root-owner-group", "-Zgzip", "--build", src.string(), out},
                        std::chrono::seconds(60));
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->output : r.error().message());
    return out;
  }

  Result<InstallOutcome> StageAndInstall(const std::string& deb) {
    NXT_ASSIGN(StagedPackage p, installer_->Stage(deb));
    return installer_->Install(p);
  }

  std::string InstalledFile() { return ReadText(root_ / "usr/share/hello/version"); }
  std::string Installed() { return installer_->InstalledVersion("hello").value(); }

  fs::path dir_, root_;
  std::optional<PackageInstaller> installer_;
};

TEST_F(APackageInstaller, InstallsAPackageAndReportsItsVersion) {
  auto out = StageAndInstall(Build("1.0"));
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(out->installed.package, "hello");
  EXPECT_EQ(out->installed.version, "1.0");
  EXPECT_EQ(out->previous_version, "");
  EXPECT_EQ(InstalledFile(), "1.0\n");
}

TEST_F(APackageInstaller, UpgradesAndRollsBackToTheKeptPreviousDeb) {
  ASSERT_TRUE(StageAndInstall(Build("1.0")).ok());
  auto up = StageAndInstall(Build("2.0"));
  ASSERT_TRUE(up.ok()) << up.error().message();
  EXPECT_EQ(up->previous_version, "1.0");
  EXPECT_EQ(InstalledFile(), "2.0\n");
  fs::remove(dir_ / ("hello_1.0_" + installer_->architecture() + ".deb"));  // only the kept copy remains
  auto back = installer_->Rollback("hello");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->installed.version, "1.0");
  EXPECT_EQ(InstalledFile(), "1.0\n");
  auto forward = installer_->Rollback("hello");  // the one rolled back from is now the previous
  ASSERT_TRUE(forward.ok()) << forward.error().message();
  EXPECT_EQ(Installed(), "2.0");
}

TEST_F(APackageInstaller, RefusesUnsatisfiableDependenciesBeforeAnythingChanges) {
  ASSERT_TRUE(StageAndInstall(Build("1.0")).ok());
  const std::string status_before = ReadText(root_ / "var/lib/dpkg/status");
  auto out = StageAndInstall(Build("2.0", "nxt-no-such-package (>= 3)"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("unmet dependencies"), std::string::npos) << out.error().message();
  EXPECT_NE(out.error().message().find("nxt-no-such-package"), std::string::npos) << out.error().message();
  EXPECT_EQ(ReadText(root_ / "var/lib/dpkg/status"), status_before);
  EXPECT_EQ(InstalledFile(), "1.0\n");
}

TEST_F(APackageInstaller, RollsBackAutomaticallyWhenTheNewPostinstFails) {
  ASSERT_TRUE(StageAndInstall(Build("1.0")).ok());
  auto out = StageAndInstall(Build("3.0", "", 1));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("post-installation"), std::string::npos) << out.error().message();
  EXPECT_NE(out.error().message().find("rolled back to hello 1.0"), std::string::npos) << out.error().message();
  EXPECT_EQ(Installed(), "1.0");
  EXPECT_EQ(InstalledFile(), "1.0\n");
}

TEST_F(APackageInstaller, RemovesAFirstInstallWhosePostinstFails) {
  auto out = StageAndInstall(Build("3.0", "", 1));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("removed it again"), std::string::npos) << out.error().message();
  EXPECT_EQ(Installed(), "");
  EXPECT_FALSE(fs::exists(root_ / "usr/share/hello/version"));
}

TEST_F(APackageInstaller, RefusesAPackageForAnotherArchitecture) {
  const std::string other = installer_->architecture() == "arm64" ? "amd64" : "arm64";
  auto staged = installer_->Stage(Build("4.0", "", 0, other));
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.error().message(),
            "package hello 4.0 is for " + other + ", this host is " + installer_->architecture());
}

TEST_F(APackageInstaller, InstallsAnArchitectureIndependentPackage) {
  auto out = StageAndInstall(Build("5.0", "", 0, "all"));
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(Installed(), "5.0");
}

TEST_F(APackageInstaller, RefusesAFileThatIsNotAWellFormedPackage) {
  WriteText(dir_ / "bogus.deb", "!<arch>\ndebian-binary   but not really\n");
  auto staged = installer_->Stage((dir_ / "bogus.deb").string());
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.error().code(), Errc::kCorrupt);
  EXPECT_NE(staged.error().message().find("not a well-formed Debian package"), std::string::npos);
}

TEST_F(APackageInstaller, HasNothingToRollBackToBeforeAnUpgrade) {
  ASSERT_TRUE(StageAndInstall(Build("1.0")).ok());
  auto back = installer_->Rollback("hello");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().message(), "no previous version of hello to roll back to");
}

}  // namespace
}  // namespace nxt::package
