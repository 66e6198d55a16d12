// nxt_plugin: loads plug-in libraries (the C ABI in nxt/functional.h) into the
// running process, Kea style. A file is first checked by its ELF header (right
// machine, word size, byte order, a shared object), then tried in a forked
// throw-away child — dlopen, ABI check before anything else, version, self-test
// — under a time limit, and only if all of that passes is it dlopen'ed
// (RTLD_NOW | RTLD_LOCAL) here, its ABI and version checked again, and the
// handle returned as an RAII LoadedPlugin. A crashing or hanging plug-in costs
// a child process, never the daemon.
//
// This module owns dlopen/dlclose and every call into plug-in code. It must
// never let plug-in code run in-process before the probe passed, never run a
// plug-in's self-test in-process, never let a C++ exception or a signal from a
// plug-in reach the caller, and never keep global state: it knows nothing of
// store/, current or previous — that is the client's plug-in host.
//
// Rules for callers:
//  - Load each build from its own path (the content-addressed store path).
//    glibc hands back an already-loaded object when the path string matches,
//    even if the file was replaced since; Load refuses that case instead of
//    returning stale code.
//  - Call Load from the event-loop thread (fork + dlopen while another thread
//    is inside dlopen could deadlock the child; the time limit would then
//    report a timeout). Don't set SIGCHLD to SIG_IGN: the probe must reap its
//    child to learn how it died.
//  - Load blocks for at most about options.selftest_timeout_ms.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "plugin/elf.h"

namespace nxt::plugin {

struct PluginVersion {
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string product;  // 1-63 chars of [A-Za-z0-9._+-], e.g. "nxtgen"

  friend bool operator==(const PluginVersion&, const PluginVersion&) = default;
};

struct LoadOptions {
  bool selftest = true;  // run nxt_functional_selftest (if exported) in the probe
  // 2000 ms: limit for the whole probe (load, ABI, version, self-test); the
  // child is killed with SIGKILL when it runs out.
  int selftest_timeout_ms = 2000;
};

// A plug-in mapped into this process. Move-only; dlclose on destruction. Keep
// the old one alive until the new one has loaded: that is how a failed reload
// leaves the old plug-in serving.
class LoadedPlugin {
 public:
  LoadedPlugin(LoadedPlugin&&) noexcept = default;
  LoadedPlugin& operator=(LoadedPlugin&&) noexcept = default;
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;
  ~LoadedPlugin() = default;

  const std::string& path() const { return path_; }
  const PluginVersion& version() const { return version_; }
  bool has_selftest() const { return has_selftest_; }

 private:
  struct DlClose {
    void operator()(void* handle) const;
  };
  using Handle = std::unique_ptr<void, DlClose>;

  LoadedPlugin(Handle handle, std::string path, PluginVersion version, bool has_selftest);
  friend Result<LoadedPlugin> Load(const std::string& path, const LoadOptions& options);

  Handle handle_;
  std::string path_;
  PluginVersion version_;
  bool has_selftest_ = false;
};

// Inspects, probes and loads `path`. Every error is Errc::kPlugin with one
// line naming the file, e.g. "/var/lib/nxt/client/store/ab12.so: self-test
// crashed (SIGSEGV)", "...: missing symbol nxt_functional_version",
// "...: ABI 99, expected 1", "...: built for aarch64, this host is x86_64".
Result<LoadedPlugin> Load(const std::string& path, const LoadOptions& options = {});

// The line the client logs at start and after every reload, exactly:
// "product version : Major = 8 Minor = 6 productName = nxtgen".
std::string FormatVersionLine(const PluginVersion& version);

}  // namespace nxt::plugin
