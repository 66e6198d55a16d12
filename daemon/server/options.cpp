#include "server/options.h"

#include <CLI/CLI.hpp>

#include "net/address.h"
#include "secure/identity.h"

namespace nxt::server {
namespace {

Status CheckAddress(const std::string& s) {
  auto a = net::Address::Parse(s);
  if (!a.ok()) return a.error();
  return Ok();
}

Status CheckKey(const std::string& s) {
  auto k = secure::ParsePublicKey(s);
  if (!k.ok()) return k.error();
  return Ok();
}

}  // namespace

const sys::ConfigSchema& ServerSchema() {
  static const sys::ConfigSchema schema = [] {
    sys::ConfigSchema s;
    s.StringArray("listen", {"[::]:5467"},
                  "UDP addresses to serve clients on. \"[::]:PORT\" is one dual-stack socket\n"
                  "serving IPv4 and IPv6; \"0.0.0.0:PORT\" is IPv4 only. Changing it needs a restart.",
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
    s.String("publisher_key", "",
             "Ed25519 private key file (nxtctl keygen) used to sign releases pushed as plain\n"
             "files. Empty: such pushes go out unsigned, and clients that require signatures\n"
             "refuse them; releases signed off the server (nxtctl sign) need no key here.");
    s.Bool("auto_approve", false,
           "Approve every new client (or a known id presenting a new key) without an operator.\n"
           "Off: new clients are pending until 'nxtctl clients approve ID'; pending clients get nothing.");
    s.StringArray("approved_keys", {},
                  "Client public keys (their identity.pub, \"nxt-x25519-public <base64>\") approved in advance.",
                  CheckKey);
    s.String("log_level", "info", "error, warning, notice, info or debug.",
             sys::OneOf({"error", "warning", "notice", "info", "debug"}));
    s.String("log_target", "auto", "auto (journal under systemd, else stderr), journal or stderr.",
             sys::OneOf({"auto", "journal", "stderr"}));
    return s;
  }();
  return schema;
}

Result<ServerOptions> LoadServerOptions(const sys::ConfigSource& source) {
  NXT_ASSIGN(sys::ConfigValues v, source.Load(ServerSchema()));
  ServerOptions o;
  o.listen = v.GetStringArray("listen");
  o.state_dir = v.GetString("state_dir");
  o.control_socket = v.GetString("control_socket");
  o.control_group = v.GetString("control_group");
  o.lease_seconds = static_cast<uint32_t>(v.GetInt("lease_seconds"));
  o.max_datagram = static_cast<uint32_t>(v.GetInt("max_datagram"));
  o.max_rate_mbit = static_cast<uint32_t>(v.GetInt("max_rate_mbit"));
  o.log_level = v.GetString("log_level");
  o.log_target = v.GetString("log_target");
  o.publisher_key = v.GetString("publisher_key");
  o.auto_approve = v.GetBool("auto_approve");
  o.approved_keys = v.GetStringArray("approved_keys");
  return o;
}

Result<ParsedArgs> ParseServerArgs(int argc, char** argv) {
  CLI::App app{"nxt-serverd: pushes plug-in builds to registered nxt-clientd hosts over UDP"};
  ParsedArgs out;
  out.source.path = "/etc/nxt/serverd.toml";
  std::vector<std::string> listen;
  std::map<std::string, std::string> flags;
  bool print_config = false;
  auto* cfg = app.add_option("--config", out.source.path, "Configuration file")->capture_default_str();
  app.add_option("--listen", listen, "UDP listen address (repeatable), e.g. '[::]:5467'");
  for (const char* key : {"state_dir", "control_socket", "control_group", "lease_seconds", "max_datagram",
                          "max_rate_mbit", "log_level", "log_target", "auto_approve", "publisher_key"}) {
    std::string flag = std::string("--") + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    app.add_option(flag, flags[key], ServerSchema().Find(key)->help);
  }
  app.add_flag("--print-default-config", print_config, "Print the commented default configuration and exit");
  app.set_version_flag("--version", "nxt-serverd " NXT_VERSION);
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
  out.source.path_explicit = cfg->count() > 0;
  if (!listen.empty()) {
    std::string joined;
    for (const std::string& l : listen) joined += (joined.empty() ? "" : ",") + l;
    out.source.overrides.emplace_back("listen", joined);
  }
  for (const auto& [key, value] : flags)
    if (!value.empty()) out.source.overrides.emplace_back(key, value);
  NXT_ASSIGN(out.options, LoadServerOptions(out.source));
  return out;
}

}  // namespace nxt::server
