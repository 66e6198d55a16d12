// nxt-serverd's settings: one schema (sys::ConfigSchema) gives the keys of
// /etc/nxt/serverd.toml, their defaults, validation and the shipped commented
// file; command-line flags override the file.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sys/config.h"

namespace nxt::server {

struct ServerOptions {
  std::string config_path;
  std::vector<std::string> listen;
  std::string state_dir;
  std::string control_socket;
  std::string control_group;
  uint32_t lease_seconds = 60;
  uint32_t max_datagram = 1200;
  uint32_t max_rate_mbit = 0;
  std::string log_level;
  std::string log_target;
};

const sys::ConfigSchema& ServerSchema();

// Result of parsing argv: options, or an exit code (help printed, usage error).
struct ParsedArgs {
  ServerOptions options;
  int exit_code = -1;  // >= 0: exit now with this code
};
Result<ParsedArgs> ParseServerArgs(int argc, char** argv);

}  // namespace nxt::server
