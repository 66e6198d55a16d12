// Read-only commands: status, clients, list-commands. Each is one Request and
// one reply rendered by render.h.
#include <CLI/CLI.hpp>

#include "ctl/commands.h"
#include "ctl/render.h"

namespace nxt::ctl {

Action DefineStatus(CLI::App& /*sub*/) {
  return [](Context& ctx) {
    control::Request request;
    request.mutable_status_get();
    return ctx.Call(request, [&ctx](const control::Response& r) {
      return RenderStatus(r.status(), ctx.env().now_unix_ms());
    });
  };
}

Action DefineClients(CLI::App& /*sub*/) {
  return [](Context& ctx) {
    control::Request request;
    request.mutable_clients_list();
    return ctx.Call(request, [&ctx](const control::Response& r) {
      return RenderClients(r.clients(), ctx.env().now_unix_ms());
    });
  };
}

Action DefineListCommands(CLI::App& /*sub*/) {
  return [](Context& ctx) {
    control::Request request;
    request.mutable_commands_list();
    return ctx.Call(request, [](const control::Response& r) { return RenderCommands(r.commands()); });
  };
}

}  // namespace nxt::ctl
