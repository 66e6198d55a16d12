// Running a tool (dpkg, dpkg-deb, apt-get) as a child process: argv only, no
// shell, stdin from /dev/null, stdout and stderr captured together (bounded),
// killed when its deadline passes. Blocks the caller for the tool's duration.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace nxt::package {

struct CommandResult {
  int exit_code = -1;   // -1: killed by a signal (or the deadline)
  std::string output;   // stdout + stderr, at most kMaxOutput bytes (the tail is kept)
  bool timed_out = false;
};

inline constexpr size_t kMaxOutput = 64 * 1024;  // bytes: enough for dpkg's story of a failure

// Errors only when the tool cannot be started; a tool that fails is a result.
// `env` entries ("K=V") are added to this process's environment. `keepalive`
// is called about once a second while the tool runs (the daemon's watchdog:
// its loop is blocked for a bounded, deadline-guarded job, not hung).
Result<CommandResult> RunCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                 const std::vector<std::string>& env = {},
                                 const std::function<void()>& keepalive = {});

// The last `lines` non-empty lines of a tool's output, joined with "; ":
// what an operator needs in a one-line reason.
std::string LastLines(const std::string& output, size_t lines);

}  // namespace nxt::package
