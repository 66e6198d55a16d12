#include "client/options.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "client/activation_policy.h"
#include "crypto/key_text.h"
#include "net/address.h"

namespace nxt::client {
namespace {

Status CheckAddress(const std::string& s) {
  if (s.empty()) return Ok();
  auto a = net::Address::Parse(s);
  if (!a.ok()) return a.error();
  return Ok();
}

Status CheckPublisher(const std::string& s) {
  auto k = crypto::ParseKey(crypto::KeyType::kEd25519, crypto::KeyPart::kPublic, s);
  if (!k.ok()) return k.error();
  return Ok();
}

Status CheckActivation(const std::string& s) {
  auto p = ParseActivationPolicy(s);
  if (!p.ok()) return p.error();
  return Ok();
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

const sys::ConfigSchema& ClientSchema() {
  static const sys::ConfigSchema schema = [] {
    sys::ConfigSchema s;
    s.String("server", "", "The nxt-serverd to register with, e.g. \"192.0.2.10:5467\" or \"[2001:db8::10]:5467\".",
             CheckAddress);
    s.String("server_key", "",
             "The server's public key (the server's identity.pub, \"nxt-x25519-public ...\"); datagrams\n"
             "from anyone else are refused. Empty: trust the first key the server presents and\n"
             "pin it in state_dir/server.pub (convenient, but only safe on a trusted network).");
    s.String("id", "", "This host's client id; empty = the host name.");
    s.String("listen", "[::]:0", "Local UDP address; port 0 picks a free one.", CheckAddress);
    s.String("state_dir", "/var/lib/nxt/client", "Store, staging area and current/previous links.", sys::NonEmpty());
    s.String("control_socket", "/run/nxt/clientd.sock", "Unix socket for nxtctl on this host.", sys::NonEmpty());
    s.String("control_group", "nxt", "Group whose members may use the control socket (besides root).");
    s.String("default_plugin", NXT_DEFAULT_PLUGIN, "Shipped plug-in served when nothing else can be loaded.",
             sys::NonEmpty());
    s.StringArray("trusted_publishers", {},
                  "Publisher public keys (nxtctl keygen's .pub, \"nxt-ed25519-public <base64>\") whose\n"
                  "signed releases this host accepts.", CheckPublisher);
    s.Bool("require_signature", true,
           "Refuse releases not signed by a trusted publisher. Turn off only for development.");
    s.Int("transfer_timeout_seconds", 3600, "A transfer taking longer than this is ended (and reported).",
          sys::IntRange(10, 7 * 86400));
    s.Int("min_transfer_rate", 4096,
          "Bytes per second a transfer must sustain over rate_window_seconds, or it is ended;\n"
          "what arrived stays in staging for a later attempt.", sys::IntRange(0, 1 << 30));
    s.Int("rate_window_seconds", 60, "Window over which min_transfer_rate is measured.", sys::IntRange(1, 3600));
    s.Int("staging_quota_mb", 1024, "Most MiB the staging area may hold; larger offers are declined.",
          sys::IntRange(1, 1 << 24));
    s.String("activation", "immediate",
             "When a verified release starts running. \"immediate\": as soon as it is verified\n"
             "(a push with --later is only staged). \"manual\": every release is staged until\n"
             "'nxtctl activate' (on the server, or on this host's control socket).\n"
             "\"window HH:MM-HH:MM\": staged, then activated by itself inside that daily window of\n"
             "local time (it may cross midnight). A staged release survives restarts.",
             CheckActivation);
    s.Int("selftest_timeout_ms", 2000, "Longest a new plug-in's self-test may run before it is refused.",
          sys::IntRange(10, 600000));
    s.Bool("packages", false,
           "Accept Debian packages (.deb) as payloads and install them with dpkg (needs root:\n"
           "see the README's \"Debian packages as payloads\" for the systemd drop-in).");
    s.String("package_root", "/",
             "Where packages are installed (dpkg --root); \"/\" is this system. Another root is for\n"
             "image builds and tests.", sys::NonEmpty());
    s.String("log_level", "info", "error, warning, notice, info or debug.",
             sys::OneOf({"error", "warning", "notice", "info", "debug"}));
    s.String("log_target", "auto", "auto (journal under systemd, else stderr), journal or stderr.",
             sys::OneOf({"auto", "journal", "stderr"}));
    return s;
  }();
  return schema;
}

Result<ClientOptions> LoadClientOptions(const sys::ConfigSource& source) {
  NXT_ASSIGN(sys::ConfigValues v, source.Load(ClientSchema()));
  ClientOptions o;
  o.server = v.GetString("server");
  o.server_key = v.GetString("server_key");
  o.id = v.GetString("id").empty() ? HostName() : v.GetString("id");
  o.listen = v.GetString("listen");
  o.state_dir = v.GetString("state_dir");
  o.control_socket = v.GetString("control_socket");
  o.control_group = v.GetString("control_group");
  o.default_plugin = v.GetString("default_plugin");
  o.selftest_timeout_ms = static_cast<uint32_t>(v.GetInt("selftest_timeout_ms"));
  o.trusted_publishers = v.GetStringArray("trusted_publishers");
  o.require_signature = v.GetBool("require_signature");
  o.transfer_timeout_seconds = static_cast<uint32_t>(v.GetInt("transfer_timeout_seconds"));
  o.min_transfer_rate = static_cast<uint32_t>(v.GetInt("min_transfer_rate"));
  o.rate_window_seconds = static_cast<uint32_t>(v.GetInt("rate_window_seconds"));
  o.staging_quota_mb = static_cast<uint32_t>(v.GetInt("staging_quota_mb"));
  o.packages = v.GetBool("packages");
  o.package_root = v.GetString("package_root");
  o.activation = v.GetString("activation");
  o.log_level = v.GetString("log_level");
  o.log_target = v.GetString("log_target");
  return o;
}

Result<ParsedClientArgs> ParseClientArgs(int argc, char** argv) {
  CLI::App app{"nxt-clientd: receives pushed plug-in builds, verifies, installs and hot-reloads them"};
  ParsedClientArgs out;
  out.source.path = "/etc/nxt/clientd.toml";
  std::map<std::string, std::string> flags;
  bool print_config = false;
  auto* cfg = app.add_option("--config", out.source.path, "Configuration file")->capture_default_str();
  for (const char* key : {"server", "server_key", "id", "listen", "state_dir", "control_socket", "control_group", "default_plugin",
                          "selftest_timeout_ms", "log_level", "log_target", "require_signature", "trusted_publishers",
                          "transfer_timeout_seconds", "min_transfer_rate", "rate_window_seconds", "staging_quota_mb",
                          "packages", "package_root", "activation"}) {
    std::string flag = std::string("--") + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    app.add_option(flag, flags[key], ClientSchema().Find(key)->help);
  }
  app.add_flag("--print-default-config", print_config, "Print the commented default configuration and exit");
  app.set_version_flag("--version", "nxt-clientd " NXT_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_code = app.exit(e);
    return out;
  }
  if (print_config) {
    std::fputs(sys::RenderDefaultConfig(ClientSchema(), "nxt-clientd configuration (/etc/nxt/clientd.toml)").c_str(),
               stdout);
    out.exit_code = 0;
    return out;
  }
  out.source.path_explicit = cfg->count() > 0;
  for (const auto& [key, value] : flags)
    if (!value.empty()) out.source.overrides.emplace_back(key, value);
  NXT_ASSIGN(out.options, LoadClientOptions(out.source));
  return out;
}

}  // namespace nxt::client
