#include "server/options.h"

#include <CLI/CLI.hpp>

#include "net/address.h"

namespace nxt::server {
namespace {

Status CheckAddress(const std::string& s) {
  auto a = net::Address::Parse(s);
  if (!a.ok()) return a.error();
  return Ok();
}

ServerOptions FromValues(const sys::ConfigValues& v, std::string config_path) {
  ServerOptions o;
  o.config_path = std::move(config_path);
  o.listen = v.GetStringArray("listen");
  o.state_dir = v.GetString("state_dir");
  o.control_socket = v.GetString("control_socket");
  o.control_group = v.GetString("control_group");
  o.lease_seconds = static_cast<uint32_t>(v.GetInt("lease_seconds"));
  o.max_datagram = static_cast<uint32_t>(v.GetInt("max_datagram"));
  o.max_rate_mbit = static_cast<uint32_t>(v.GetInt("max_rate_mbit"));
  o.log_level = v.GetString("log_level");
  o.log_target = v.GetString("log_target");
  return o;
}

}  // namespace

const sys::ConfigSchema& ServerSchema() {
  static const sys::ConfigSchema schema = [] {
    sys::ConfigSchema s;
    s.StringArray("listen", {"[::]:5467"},
                  "UDP addresses to serve clients on. \"[::]:PORT\" is one dual-stack socket\n"
                  "serving IPv4 and IPv6; \"0.0.0.0:PORT\" is IPv4 only.",
                  CheckAddress);
    s.String("state_dir", "/var/lib/nxt/server", "Registry database (state.db) and artifact store.", sys::NonEmpty());
    s.String("control_socket", "/run/nxt/serverd.sock",
             "Unix socket for nxtctl. Ignored when systemd passes the socket (nxt-serverd.socket).",
             sys::NonEmpty());
    s.String("control_group", "nxt", "Group whose members may use the control socket (besides root).");
    s.Int("lease_seconds", 60, "Lease granted to clients; they renew at a third of it.", sys::IntRange(3, 86400));
    s.Int("max_datagram", 1200,
          "Largest UDP datagram sent, in bytes. 1200 fits the IPv6 minimum MTU without\n"
          "fragmentation; raise it only on paths known to carry more.",
          sys::IntRange(576, 65000));
    s.Int("max_rate_mbit", 0, "Cap per transfer in Mbit/s; 0 = as fast as the path allows.", sys::IntRange(0, 1000000));
    s.String("log_level", "info", "error, warning, notice, info or debug.",
             sys::OneOf({"error", "warning", "notice", "info", "debug"}));
    s.String("log_target", "auto", "auto (journal under systemd, else stderr), journal or stderr.",
             sys::OneOf({"auto", "journal", "stderr"}));
    return s;
  }();
  return schema;
}

Result<ParsedArgs> ParseServerArgs(int argc, char** argv) {
  CLI::App app{"nxt-serverd: pushes plug-in builds to registered nxt-clientd hosts over UDP"};
  std::string config = "/etc/nxt/serverd.toml";
  std::vector<std::string> listen;
  std::string state_dir, control_socket, log_level, log_target;
  int64_t lease = 0, max_datagram = 0;
  bool print_config = false;
  auto* cfg_opt = app.add_option("--config", config, "Configuration file")->capture_default_str();
  app.add_option("--listen", listen, "UDP listen address (repeatable), e.g. '[::]:5467'");
  app.add_option("--state-dir", state_dir, "State directory");
  app.add_option("--control-socket", control_socket, "Control socket path");
  app.add_option("--lease-seconds", lease, "Client lease length");
  app.add_option("--max-datagram", max_datagram, "Largest UDP datagram in bytes");
  app.add_option("--log-level", log_level, "error|warning|notice|info|debug");
  app.add_option("--log-target", log_target, "auto|journal|stderr");
  app.add_flag("--print-default-config", print_config, "Print the commented default configuration and exit");
  app.set_version_flag("--version", "nxt-serverd " NXT_VERSION);
  ParsedArgs out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_code = app.exit(e);
    return out;
  }
  if (print_config) {
    std::fputs(sys::RenderDefaultConfig(ServerSchema(), "nxt-serverd configuration (/etc/nxt/serverd.toml)").c_str(),
               stdout);
    out.exit_code = 0;
    return out;
  }
  auto missing = cfg_opt->count() > 0 ? sys::MissingFile::kError : sys::MissingFile::kUseDefaults;
  NXT_ASSIGN(sys::ConfigValues v, sys::LoadConfig(config, ServerSchema(), missing));
  auto set = [&](const char* key, const std::string& value) -> Status {
    if (value.empty()) return Ok();
    Status st = v.Set(key, value);
    if (!st.ok()) return std::move(st).error().WithContext("command line");
    return Ok();
  };
  if (!listen.empty()) NXT_TRY(v.SetValue("listen", listen));
  NXT_TRY(set("state_dir", state_dir));
  NXT_TRY(set("control_socket", control_socket));
  NXT_TRY(set("log_level", log_level));
  NXT_TRY(set("log_target", log_target));
  if (lease) NXT_TRY(set("lease_seconds", std::to_string(lease)));
  if (max_datagram) NXT_TRY(set("max_datagram", std::to_string(max_datagram)));
  out.options = FromValues(v, config);
  return out;
}

}  // namespace nxt::server
