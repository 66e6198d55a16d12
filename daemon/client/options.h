// nxt-clientd's settings: the schema behind /etc/nxt/clientd.toml (keys,
// defaults, validation, the shipped commented file); flags override the file.
#pragma once

#include <string>

#include "base/result.h"
#include "sys/config.h"

namespace nxt::client {

struct ClientOptions {
  std::string config_path;
  std::string server;
  std::string id;
  std::string listen;
  std::string state_dir;
  std::string control_socket;
  std::string control_group;
  std::string default_plugin;
  uint32_t selftest_timeout_ms = 2000;
  std::string log_level;
  std::string log_target;
};

const sys::ConfigSchema& ClientSchema();

struct ParsedClientArgs {
  ClientOptions options;
  int exit_code = -1;  // >= 0: exit now with this code
};
Result<ParsedClientArgs> ParseClientArgs(int argc, char** argv);

}  // namespace nxt::client
