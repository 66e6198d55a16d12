// nxt-clientd's settings: the schema behind /etc/nxt/clientd.toml (keys,
// defaults, validation, the shipped commented file); flags override the file.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sys/config_source.h"

namespace nxt::client {

struct ClientOptions {
  std::string server;  // empty: not configured yet; the daemon idles until a reload sets it
  std::string server_key;  // pinned server public key; empty: trust on first use
  std::string id;
  std::string listen;
  std::string state_dir;
  std::string control_socket;
  std::string control_group;
  std::string default_plugin;
  uint32_t selftest_timeout_ms = 2000;
  std::vector<std::string> trusted_publishers;  // "nxt-ed25519-public <base64>"
  bool require_signature = true;
  uint32_t transfer_timeout_seconds = 3600;
  uint32_t min_transfer_rate = 4096;   // bytes/s
  uint32_t rate_window_seconds = 60;
  uint32_t staging_quota_mb = 1024;
  bool packages = false;             // accept .deb releases (installed with dpkg; needs root)
  std::string package_root = "/";    // dpkg --root for them; "/" = this system
  std::string activation = "immediate";  // "immediate" | "manual" | "window HH:MM-HH:MM"
  std::string log_level;
  std::string log_target;
};

const sys::ConfigSchema& ClientSchema();

struct ParsedClientArgs {
  sys::ConfigSource source;
  ClientOptions options;
  int exit_code = -1;  // >= 0: exit now with this code
};
Result<ParsedClientArgs> ParseClientArgs(int argc, char** argv);
// Reads the file again and applies the same command-line overrides (SIGHUP).
Result<ClientOptions> LoadClientOptions(const sys::ConfigSource& source);

}  // namespace nxt::client
