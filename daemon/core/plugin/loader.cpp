#include <dlfcn.h>

#include "base/crash_point.h"
#include "plugin/abi_call.h"
#include "plugin/dl_cache.h"
#include "plugin/plugin.h"
#include "plugin/probe.h"

namespace nxt::plugin {
namespace {

Error PluginError(const std::string& path, const std::string& why) {
  return Error(Errc::kPlugin, path + ": " + why);
}

std::string Show(const PluginVersion& v) {
  return v.product + " " + std::to_string(v.major) + "." + std::to_string(v.minor);
}

// The in-process call must agree with the probe: anything else means the file
// changed in between or the plug-in answers differently each time.
Status CheckMatchesProbe(const std::string& path, const detail::AbiReport& here,
                         const detail::AbiReport& probed) {
  if (here.outcome != detail::Outcome::kOk) return PluginError(path, detail::Describe(here));
  const PluginVersion now = detail::VersionOf(here);
  const PluginVersion before = detail::VersionOf(probed);
  if (now != before) {
    return PluginError(path, "version changed between probe and load (" + Show(before) + ", then " +
                                 Show(now) + ")");
  }
  return Ok();
}

}  // namespace

void LoadedPlugin::DlClose::operator()(void* handle) const {
  if (handle != nullptr) ::dlclose(handle);
}

LoadedPlugin::LoadedPlugin(Handle handle, std::string path, PluginVersion version, bool has_selftest)
    : handle_(std::move(handle)),
      path_(std::move(path)),
      version_(std::move(version)),
      has_selftest_(has_selftest) {}

Result<LoadedPlugin> Load(const std::string& path, const LoadOptions& options) {
  // 1. The header: refuses text files and other architectures without mapping them.
  if (auto elf = InspectElf(path); !elf.ok()) return Error(Errc::kPlugin, elf.error().message());
  // 2. The dlopen cache must not hand back an older build.
  if (Status fresh = detail::CheckNotStale(path); !fresh.ok()) return PluginError(path, fresh.error().message());
  // 3. Everything that runs plug-in code runs first in a child that may die.
  auto probed = detail::ProbeInChild(path, options.selftest, options.selftest_timeout_ms);
  if (!probed.ok()) return PluginError(path, probed.error().message());
  NXT_CRASH_POINT("plugin.probed");  // the self-test passed in the child; dlopen here next
  // 4. Only now into this process; the handle closes itself on any failure below.
  LoadedPlugin::Handle handle(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle) {
    const char* err = ::dlerror();
    return PluginError(path, detail::WithoutPathPrefix(path, err ? err : "dlopen failed"));
  }
  const detail::AbiReport here = detail::CallPlugin(handle.get(), /*run_selftest=*/false, {});
  NXT_TRY(CheckMatchesProbe(path, here, *probed));
  return LoadedPlugin(std::move(handle), path, detail::VersionOf(here), probed->has_selftest);
}

std::string FormatVersionLine(const PluginVersion& v) {
  return "product version : Major = " + std::to_string(v.major) + " Minor = " + std::to_string(v.minor) +
         " productName = " + v.product;
}

}  // namespace nxt::plugin
