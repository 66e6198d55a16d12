// nxt-serverd's settings: one schema (sys::ConfigSchema) gives the keys of
// /etc/nxt/serverd.toml, their defaults, validation and the shipped commented
// file; command-line flags override the file, also across SIGHUP reloads.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sys/config_source.h"

namespace nxt::server {

struct ServerOptions {
  std::vector<std::string> listen;
  std::string state_dir;
  std::string control_socket;
  std::string control_group;
  uint32_t lease_seconds = 60;
  uint32_t max_datagram = 1200;
  uint32_t max_rate_mbit = 0;
  std::string log_level;
  std::string log_target;
  std::string publisher_key;  // Ed25519 private key file: sign plain pushes; empty = ship them unsigned
  bool auto_approve = false;
  std::vector<std::string> approved_keys;  // "nxt-x25519-public <base64>" or bare base64
};

const sys::ConfigSchema& ServerSchema();

struct ParsedArgs {
  sys::ConfigSource source;
  ServerOptions options;
  int exit_code = -1;  // >= 0: exit now with this code (help, version, usage error)
};
Result<ParsedArgs> ParseServerArgs(int argc, char** argv);
// Reads the file again and applies the same command-line overrides (SIGHUP).
Result<ServerOptions> LoadServerOptions(const sys::ConfigSource& source);

}  // namespace nxt::server
