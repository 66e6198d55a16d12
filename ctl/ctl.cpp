// Command-line parsing and dispatch (Run), and the real process around it (Main).
#include "ctl/ctl.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>

#include "base/clock.h"
#include "ctl/commands.h"

#ifndef NXT_VERSION
#define NXT_VERSION "unknown"
#endif

namespace nxt::ctl {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--socket", options.socket, "Control socket of nxt-serverd or nxt-clientd ($NXT_SOCKET)")
      ->type_name("PATH")
      ->capture_default_str();
  app.add_flag("--json", options.json, "Print each reply as one JSON object per line");
  app.add_option("--timeout", options.timeout_s,
                 "Seconds to wait for a reply (default 10; a push waits as long as the daemon streams; 0 = forever)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(
          [](const std::string& value) {
            return std::strtod(value.c_str(), nullptr) >= 0 ? std::string() : "must be 0 or more seconds";
          },
          "", "seconds"));
  app.set_version_flag("--version", std::string("nxtctl ") + NXT_VERSION);
}

// Parses and runs; CLI11 exceptions end here (they never leave Run).
int ParseAndRun(CLI::App& app, const std::vector<std::string>& args, Context& ctx) {
  std::map<const CLI::App*, Action> actions;
  for (const CommandSpec& spec : Commands()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    sub->fallthrough();  // global flags may follow the sub-command: `nxtctl status --json`
    actions[sub] = spec.define(*sub);
  }
  std::vector<const char*> argv{"nxtctl"};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::RequiredError& e) {
    // CLI11 reports "bogus" as "A subcommand is required"; name the real problem.
    if (app.get_subcommands().empty() && !app.remaining().empty()) {
      ctx.env().err << "nxtctl: unknown command: " << app.remaining().front() << "\n"
                    << "Run with --help for the list of commands.\n";
      return kExitUsage;
    }
    app.exit(e, ctx.env().out, ctx.env().err);
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, ctx.env().out, ctx.env().err);  // prints help, version or the error
    return code == 0 ? kExitOk : kExitUsage;
  }
  return actions.at(app.get_subcommands().front())(ctx);
}

size_t TerminalColumns() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

int Run(const std::vector<std::string>& args, const Environment& env) {
  Context ctx(env);
  if (env.socket_env && !env.socket_env->empty()) ctx.options().socket = *env.socket_env;
  CLI::App app("Control nxt-serverd and nxt-clientd over their unix control socket.", "nxtctl");
  app.footer("Exit status: 0 success, 1 failure (for push: any host failed), 2 usage error.");
  app.require_subcommand(1);
  AddGlobalOptions(app, ctx.options());
  try {
    return ParseAndRun(app, args, ctx);
  } catch (const std::exception& e) {  // CLI11 construction errors, std::bad_alloc
    return ctx.Fail(std::string("internal error: ") + e.what());
  }
}

int Main(int argc, char** argv) {
  const char* socket_env = std::getenv("NXT_SOCKET");
  SystemClock clock;
  Environment env{
      .out = std::cout,
      .err = std::cerr,
      .out_is_tty = ::isatty(STDOUT_FILENO) == 1,
      .columns = TerminalColumns(),
      .socket_env = socket_env ? std::optional<std::string>(socket_env) : std::nullopt,
      .now_unix_ms = [&clock] { return clock.UnixMs(); },
      .connect = SocketConnector(),
  };
  return Run(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc), env);
}

}  // namespace nxt::ctl
