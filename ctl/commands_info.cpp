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

Action DefineClients(CLI::App& sub) {
  // `nxtctl clients` lists; `nxtctl clients approve|revoke ID...` changes enrollment.
  auto ids = std::make_shared<std::vector<std::string>>();
  CLI::App* approve = sub.add_subcommand("approve", "Approve pending clients so they receive pushes (clients-approve)");
  approve->add_option("ID", *ids, "Client ids")->required();
  CLI::App* revoke = sub.add_subcommand("revoke", "Cut clients off: their sessions end and they get nothing (clients-revoke)");
  revoke->add_option("ID", *ids, "Client ids")->required();
  return [ids, approve, revoke](Context& ctx) {
    control::Request request;
    if (approve->parsed()) {
      for (const auto& id : *ids) request.mutable_clients_approve()->add_ids(id);
    } else if (revoke->parsed()) {
      for (const auto& id : *ids) request.mutable_clients_revoke()->add_ids(id);
    } else {
      request.mutable_clients_list();
    }
    bool change = approve->parsed() || revoke->parsed();
    return ctx.Call(request, [&ctx, change](const control::Response& r) {
      std::string table = RenderClients(r.clients(), ctx.env().now_unix_ms());
      return change ? r.text() + "\n" + table : table;
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
