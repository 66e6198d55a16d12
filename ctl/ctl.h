// nxtctl: the operator's command-line tool for nxt-serverd and nxt-clientd.
// It parses the command line (CLI11), turns a sub-command into one control
// Request, and renders the daemon's Responses as tables, progress bars or JSON.
// It never opens a socket itself (nxt_control does, behind Session), never
// interprets a file it pushes beyond opening it, and holds no global state:
// everything a run touches comes in through Environment, so tests drive Run()
// with string streams and a scripted daemon.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "ctl/session.h"

namespace nxt::ctl {

inline constexpr const char* kDefaultSocket = "/run/nxt/serverd.sock";

// Exit statuses: 0 success, 1 the command (or any host of a push) failed,
// 2 the command line was wrong.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Environment {
  std::ostream& out;
  std::ostream& err;
  bool out_is_tty = false;                // draw progress bars only on a terminal
  size_t columns = 80;                    // terminal width, characters
  std::optional<std::string> socket_env;  // $NXT_SOCKET: replaces the default socket
  std::function<uint64_t()> now_unix_ms;  // for "3s ago"
  Connector connect;
};

// Runs one command line (`args` without the program name); returns the exit status.
int Run(const std::vector<std::string>& args, const Environment& env);

// The process entry point: builds the Environment from the real process.
int Main(int argc, char** argv);

}  // namespace nxt::ctl
