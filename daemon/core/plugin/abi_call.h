// Internal to nxt_plugin: the one place that calls into plug-in code, through
// an open dlopen handle, in the order the ABI demands (abi, then version, then
// self-test). Used both by the probe child and by the in-process load. Every
// call is guarded: a missing symbol, a wrong answer or a C++ exception becomes
// an outcome in the report, never a throw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "plugin/plugin.h"

namespace nxt::plugin::detail {

inline constexpr size_t kMaxProductLen = 63;

// Where the plug-in was when it stopped: what a crash or timeout is blamed on.
enum class Stage : uint32_t { kLoading, kAbi, kVersion, kSelfTest, kDone };

enum class Outcome : uint32_t {
  kOk,
  kMissingSymbol,   // a required function is not exported (stage says which)
  kAbiMismatch,     // abi holds what the plug-in returned
  kVersionFailed,   // rc holds what nxt_functional_version returned
  kBadProduct,      // product NULL, too long or with odd characters
  kSelfTestFailed,  // rc holds what nxt_functional_selftest returned
  kThrew,           // a C++ exception escaped the C ABI (stage says where)
};

// Trivially copyable: the probe child sends it to its parent through a pipe.
struct AbiReport {
  Outcome outcome = Outcome::kOk;
  Stage stage = Stage::kLoading;
  uint32_t abi = 0;
  uint32_t major = 0;
  uint32_t minor = 0;
  int32_t rc = 0;
  bool has_selftest = false;
  char product[kMaxProductLen + 1] = {};
};

// Calls the plug-in behind `handle`. on_stage (may be empty) hears each stage
// before it starts.
AbiReport CallPlugin(void* handle, bool run_selftest, const std::function<void(Stage)>& on_stage);

// "nxt_functional_version", "self-test", ...: the subject of an error line.
std::string_view StageSubject(Stage stage);

// One line for a failed report ("ABI 99, expected 1"); empty if it is kOk.
std::string Describe(const AbiReport& report);

PluginVersion VersionOf(const AbiReport& report);

// dlerror() text starts with the path, which callers already name once.
std::string WithoutPathPrefix(const std::string& path, std::string text);

}  // namespace nxt::plugin::detail
