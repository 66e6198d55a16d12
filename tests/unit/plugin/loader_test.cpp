#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "plugin/plugin.h"
#include "plugin_files.h"

namespace nxt::plugin {
namespace {

using ::testing::HasSubstr;
using testing::BuiltPlugin;
using testing::TempDir;

PluginVersion Nxtgen(uint32_t major, uint32_t minor) { return PluginVersion{major, minor, "nxtgen"}; }

// The refusal message for a built plug-in, or "" if it loaded.
std::string RefusalOf(const std::string& path, const LoadOptions& options = {}) {
  auto loaded = Load(path, options);
  if (loaded.ok()) return "";
  EXPECT_EQ(loaded.error().code(), Errc::kPlugin);
  return loaded.error().message();
}

// True if the probe left no child (zombie or running) behind.
bool NoChildrenLeft() { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

TEST(Load, LoadsTheShippedDefaultAsNxtgen56) {
  auto plugin = Load(BuiltPlugin("libfunctional.so"));
  ASSERT_TRUE(plugin.ok()) << plugin.error().message();
  EXPECT_EQ(plugin->version(), Nxtgen(5, 6));
  EXPECT_EQ(plugin->path(), BuiltPlugin("libfunctional.so"));
  EXPECT_TRUE(plugin->has_selftest());
}

TEST(Load, LoadsTheSamplesWithTheirOwnVersions) {
  auto one = Load(BuiltPlugin("libfunctional_1_0.so"));
  auto two = Load(BuiltPlugin("libfunctional_2_0.so"));
  auto big = Load(BuiltPlugin("libfunctional_big.so"));
  ASSERT_TRUE(one.ok()) << one.error().message();
  ASSERT_TRUE(two.ok()) << two.error().message();
  ASSERT_TRUE(big.ok()) << big.error().message();
  EXPECT_EQ(one->version(), Nxtgen(5, 6));
  EXPECT_EQ(two->version(), Nxtgen(8, 6));
  EXPECT_EQ(big->version(), Nxtgen(9, 1));
}

TEST(Load, KeepsTwoBuildsLoadedSideBySideFromTheirOwnPaths) {
  TempDir store;
  auto old_build = Load(store.Copy("libfunctional_1_0.so", "aaaa.so"));
  ASSERT_TRUE(old_build.ok()) << old_build.error().message();
  auto new_build = Load(store.Copy("libfunctional_2_0.so", "bbbb.so"));
  ASSERT_TRUE(new_build.ok()) << new_build.error().message();
  EXPECT_EQ(old_build->version(), Nxtgen(5, 6));
  EXPECT_EQ(new_build->version(), Nxtgen(8, 6));
  // Dropping the old handle (the reload's last step) leaves the new one intact.
  { LoadedPlugin dropped = std::move(*old_build); }
  auto again = Load(new_build->path());
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->version(), Nxtgen(8, 6));
}

TEST(Load, LoadsTheSameUnchangedFileTwice) {
  auto first = Load(BuiltPlugin("libfunctional_2_0.so"));
  auto second = Load(BuiltPlugin("libfunctional_2_0.so"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->version(), Nxtgen(8, 6));
}

TEST(Load, RefusesAFileRenamedOverAStillLoadedPathRatherThanReturnTheOldCode) {
  TempDir dir;
  const std::string current = dir.Copy("libfunctional_1_0.so", "current.so");
  std::optional<Result<LoadedPlugin>> running(Load(current));
  ASSERT_TRUE(running->ok()) << running->error().message();
  std::filesystem::rename(dir.Copy("libfunctional_2_0.so", "next.so"), current);

  EXPECT_THAT(RefusalOf(current), HasSubstr("older build loaded from this path is still in use"));

  running.reset();  // once the old build is unloaded, the path means the new file
  auto reloaded = Load(current);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message();
  EXPECT_EQ(reloaded->version(), Nxtgen(8, 6));
}

TEST(Load, RefusesASwappedSymlinkWhileTheOldTargetIsLoaded) {
  TempDir dir;
  const std::string link = dir.Path("current");
  std::filesystem::create_symlink(dir.Copy("libfunctional_1_0.so", "a.so"), link);
  auto running = Load(link);
  ASSERT_TRUE(running.ok()) << running.error().message();
  std::filesystem::create_symlink(dir.Copy("libfunctional_2_0.so", "b.so"), dir.Path("current.tmp"));
  std::filesystem::rename(dir.Path("current.tmp"), link);

  EXPECT_THAT(RefusalOf(link), HasSubstr("still in use"));
  auto by_own_path = Load(dir.Path("b.so"));
  ASSERT_TRUE(by_own_path.ok()) << by_own_path.error().message();
  EXPECT_EQ(by_own_path->version(), Nxtgen(8, 6));
}

TEST(Load, RefusesAPluginWithoutAVersionFunction) {
  const std::string path = BuiltPlugin("libfunctional_nosym.so");
  EXPECT_EQ(RefusalOf(path), path + ": missing symbol nxt_functional_version");
}

TEST(Load, RefusesAPluginBuiltForAnotherAbi) {
  const std::string path = BuiltPlugin("libfunctional_badabi.so");
  EXPECT_EQ(RefusalOf(path), path + ": ABI 99, expected 1");
}

TEST(Load, RefusesAPluginWhoseSelfTestFails) {
  const std::string path = BuiltPlugin("libfunctional_failtest.so");
  EXPECT_EQ(RefusalOf(path), path + ": self-test failed (returned 1)");
}

TEST(Load, SurvivesAndRefusesAPluginWhoseSelfTestCrashes) {
  const std::string path = BuiltPlugin("libfunctional_crash.so");
  EXPECT_EQ(RefusalOf(path), path + ": self-test crashed (SIGSEGV)");
  EXPECT_TRUE(NoChildrenLeft());
}

TEST(Load, KillsAndRefusesAPluginWhoseSelfTestHangs) {
  const std::string path = BuiltPlugin("libfunctional_hang.so");
  LoadOptions options;
  options.selftest_timeout_ms = 300;  // short: the test waits this long
  EXPECT_EQ(RefusalOf(path, options), path + ": self-test timed out after 300 ms");
  EXPECT_TRUE(NoChildrenLeft());
}

TEST(Load, SkipsTheSelfTestWhenToldTo) {
  LoadOptions options;
  options.selftest = false;
  auto plugin = Load(BuiltPlugin("libfunctional_failtest.so"), options);
  ASSERT_TRUE(plugin.ok()) << plugin.error().message();
  EXPECT_EQ(plugin->version(), Nxtgen(5, 6));
}

TEST(Load, RefusesATextFileWithoutProbingIt) {
  const std::string path = BuiltPlugin("libfunctional_notelf.so");
  EXPECT_EQ(RefusalOf(path), path + ": not an ELF file");
}

TEST(Load, RefusesAPluginForAnotherArchitecture) {
  const std::string path = BuiltPlugin("libfunctional_foreign.so");
  EXPECT_THAT(RefusalOf(path), HasSubstr(path + ": built for "));
}

TEST(Load, RefusesAMissingFileAsAPluginError) {
  TempDir dir;
  EXPECT_THAT(RefusalOf(dir.Path("absent.so")), HasSubstr("No such file or directory"));
}

TEST(Load, ReportsDlopenErrorsOnceNamingTheFile) {
  // A valid ELF shared object dlopen cannot use: no dynamic section at all.
  TempDir dir;
  const std::string path = dir.Path("bad.so");
  std::filesystem::copy_file(BuiltPlugin("libfunctional.so"), path);
  std::filesystem::resize_file(path, 4096);
  const std::string refusal = RefusalOf(path);
  ASSERT_FALSE(refusal.empty());
  EXPECT_EQ(refusal.rfind(path + ": ", 0), 0u) << refusal;
  EXPECT_EQ(refusal.find(path, 1), std::string::npos) << refusal;
}

// A daemon's own handler (libevent writes to its signal pipe) must not run in
// the probe child: the crash has to be the plug-in's, and the daemon's pipe
// must stay quiet.
int g_handler_pipe = -1;
void HostSegvHandler(int) {
  const char byte = 'x';
  (void)!::write(g_handler_pipe, &byte, 1);
  ::_exit(0);
}

TEST(Load, KeepsTheHostsSignalHandlersOutOfTheProbe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  g_handler_pipe = fds[1];
  struct sigaction handler {}, previous {};
  handler.sa_handler = HostSegvHandler;
  ASSERT_EQ(::sigaction(SIGSEGV, &handler, &previous), 0);

  const std::string path = BuiltPlugin("libfunctional_crash.so");
  const std::string refusal = RefusalOf(path);

  ::sigaction(SIGSEGV, &previous, nullptr);
  ::close(fds[1]);
  char byte = 0;
  EXPECT_EQ(::read(fds[0], &byte, 1), 0) << "the host's handler ran in the probe";
  ::close(fds[0]);
  EXPECT_EQ(refusal, path + ": self-test crashed (SIGSEGV)");
}

TEST(FormatVersionLine, PrintsTheExactLineOperatorsGrepFor) {
  EXPECT_EQ(FormatVersionLine(Nxtgen(8, 6)), "product version : Major = 8 Minor = 6 productName = nxtgen");
  EXPECT_EQ(FormatVersionLine(PluginVersion{10, 0, "other"}),
            "product version : Major = 10 Minor = 0 productName = other");
}

}  // namespace
}  // namespace nxt::plugin
