// Internal to nxt_plugin: runs a plug-in once in a forked, throw-away child
// (dlopen, ABI, version, optional self-test) and reports how it went, so that
// a plug-in that crashes, hangs or calls exit() costs a child, not the daemon.
#pragma once

#include <string>

#include "base/result.h"
#include "plugin/abi_call.h"

namespace nxt::plugin::detail {

// A report whose outcome is kOk, or Errc::kPlugin with a one-line reason that
// does not repeat the path: "self-test crashed (SIGSEGV)", "self-test timed
// out after 2000 ms", "missing symbol nxt_functional_version", dlerror text.
// Blocks for at most about timeout_ms.
Result<AbiReport> ProbeInChild(const std::string& path, bool run_selftest, int timeout_ms);

}  // namespace nxt::plugin::detail
