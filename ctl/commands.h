// The nxtctl command table. Adding a command (activate, rollback, query,
// clients approve, ...) is one Define function: it declares the command's
// flags on its CLI11 sub-app and returns the Action that runs it, usually a
// single Context::Call with a renderer from render.h.
#pragma once

#include <functional>
#include <span>

#include "ctl/context.h"

namespace CLI {
class App;
}

namespace nxt::ctl {

using Action = std::function<int(Context&)>;

struct CommandSpec {
  const char* name;  // kebab-case, as typed: "list-commands"
  const char* help;  // one line for --help
  Action (*define)(CLI::App& sub);
};

Action DefineStatus(CLI::App& sub);        // commands_info.cpp
Action DefineClients(CLI::App& sub);       // commands_info.cpp
Action DefineListCommands(CLI::App& sub);  // commands_info.cpp
Action DefinePush(CLI::App& sub);          // command_push.cpp
Action DefineGroups(CLI::App& sub);        // command_fleet.cpp
Action DefineQuery(CLI::App& sub);         // command_fleet.cpp
Action DefineReconcile(CLI::App& sub);     // command_fleet.cpp
Action DefineActivate(CLI::App& sub);      // command_fleet.cpp
Action DefineRollback(CLI::App& sub);      // command_fleet.cpp
Action DefineRollout(CLI::App& sub);       // command_fleet.cpp
Action DefineHistory(CLI::App& sub);       // command_fleet.cpp
Action DefineKeygen(CLI::App& sub);        // command_keys.cpp
Action DefineSign(CLI::App& sub);          // command_keys.cpp
struct ReleaseArgs;
void AddReleaseFlags(CLI::App& sub, ReleaseArgs& r);  // command_keys.cpp

// Every sub-command, in the order --help lists them.
std::span<const CommandSpec> Commands();

}  // namespace nxt::ctl
