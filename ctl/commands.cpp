// The table of nxtctl sub-commands. One line per command; its Define function
// lives next to its siblings (commands_info.cpp, command_push.cpp).
#include "ctl/commands.h"

namespace nxt::ctl {

std::span<const CommandSpec> Commands() {
  static constexpr CommandSpec kCommands[] = {
      {"status", "Show the daemon's state (status-get)", DefineStatus},
      {"clients", "List the server's clients (clients-list)", DefineClients},
      {"push", "Push a plug-in build (or a signed bundle) to clients and follow it to the end", DefinePush},
      {"groups", "Named groups of hosts to push to (list, create, delete, add, remove)", DefineGroups},
      {"query", "Ask hosts live what they run; who is current, behind, unreachable", DefineQuery},
      {"reconcile", "Push the desired release to every host that is behind (--dry-run: only say so)", DefineReconcile},
      {"activate", "Activate staged releases (on the server: on hosts; on a client socket: there)", DefineActivate},
      {"rollback", "Swap hosts back to their previous version, without a transfer", DefineRollback},
      {"rollout", "Follow or control a wave-by-wave push (status, resume, abort)", DefineRollout},
      {"history", "Deployments and per-host outcomes, newest first", DefineHistory},
      {"keygen", "Make a publisher key pair for signing releases (no daemon needed)", DefineKeygen},
      {"sign", "Sign a plug-in build into a bundle with a publisher key (no daemon needed)", DefineSign},
      {"list-commands", "List the control commands the daemon supports", DefineListCommands},
  };
  return kCommands;
}

}  // namespace nxt::ctl
