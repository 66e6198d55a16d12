// Fleet commands: groups, query, reconcile, activate, rollback, rollout,
// history. Each is one Request and one reply; activate and rollback also work
// against a client's own control socket (then they act on that host only).
#include <CLI/CLI.hpp>

#include "ctl/commands.h"
#include "ctl/render.h"

namespace nxt::ctl {
namespace {

struct Targets {
  std::vector<std::string> to;
  std::string group;
  double wait_s = 0;
};

void AddTargetFlags(CLI::App& sub, Targets& t, const char* what) {
  sub.add_option("--to", t.to, std::string("Client id to ") + what + "; repeat or comma-separate")
      ->type_name("ID")
      ->allow_extra_args(false)
      ->delimiter(',');
  sub.add_option("--group", t.group, std::string("Group whose hosts to ") + what)->type_name("NAME");
  sub.add_option("--wait", t.wait_s, "Seconds to wait for the hosts' answers (default 3)")->type_name("SECONDS");
}

template <typename M>
void FillTargets(const Targets& t, M* m) {
  for (const auto& id : t.to) m->add_to(id);
  m->set_group(t.group);
  m->set_timeout_ms(static_cast<uint32_t>(t.wait_s * 1000));
}

// Live requests wait for the hosts: give the reply the wait plus slack.
void StretchTimeout(Context& ctx, const Targets& t) {
  if (ctx.options().timeout_s < 0) ctx.options().timeout_s = (t.wait_s > 0 ? t.wait_s : 3) + 10;
}

int FleetCall(Context& ctx, const control::Request& request) {
  return ctx.Call(request, [](const control::Response& r) { return RenderFleet(r.fleet(), r.text()); });
}

}  // namespace

Action DefineGroups(CLI::App& sub) {
  auto name = std::make_shared<std::string>();
  auto ids = std::make_shared<std::vector<std::string>>();
  auto action = std::make_shared<std::string>("list");
  for (const char* a : {"list", "create", "delete", "add", "remove"}) {
    std::string help = std::string(a) == "list"     ? "List groups and their members"
                       : std::string(a) == "create" ? "Create an empty group"
                       : std::string(a) == "delete" ? "Delete a group (its desired release goes with it)"
                       : std::string(a) == "add"    ? "Add hosts to a group (they get its desired release)"
                                                    : "Remove hosts from a group";
    CLI::App* s = sub.add_subcommand(a, help);
    s->callback([action, a] { *action = a; });
    if (std::string(a) == "list") continue;
    s->add_option("GROUP", *name, "Group name")->required();
    if (std::string(a) == "add" || std::string(a) == "remove") s->add_option("ID", *ids, "Client ids")->required();
  }
  return [name, ids, action](Context& ctx) {
    control::Request request;
    control::Groups* g = request.mutable_groups();
    g->set_action(*action);
    g->set_group(*name);
    for (const auto& id : *ids) g->add_ids(id);
    bool change = *action != "list";
    return ctx.Call(request, [change](const control::Response& r) {
      return (change ? r.text() + "\n" : "") + RenderGroups(r.groups());
    });
  };
}

Action DefineQuery(CLI::App& sub) {
  auto t = std::make_shared<Targets>();
  AddTargetFlags(sub, *t, "ask");
  return [t](Context& ctx) {
    control::Request request;
    FillTargets(*t, request.mutable_query());
    StretchTimeout(ctx, *t);
    return FleetCall(ctx, request);
  };
}

Action DefineReconcile(CLI::App& sub) {
  auto dry_run = std::make_shared<bool>(false);
  sub.add_flag("--dry-run", *dry_run, "Only say what would be pushed to whom");
  return [dry_run](Context& ctx) {
    control::Request request;
    request.mutable_reconcile()->set_dry_run(*dry_run);
    return FleetCall(ctx, request);
  };
}

Action DefineActivate(CLI::App& sub) {
  auto t = std::make_shared<Targets>();
  AddTargetFlags(sub, *t, "activate on (default: every host with a staged release)");
  return [t](Context& ctx) {
    control::Request request;
    FillTargets(*t, request.mutable_activate());
    StretchTimeout(ctx, *t);
    return FleetCall(ctx, request);
  };
}

Action DefineRollback(CLI::App& sub) {
  auto t = std::make_shared<Targets>();
  AddTargetFlags(sub, *t, "roll back (default: every active host)");
  return [t](Context& ctx) {
    control::Request request;
    FillTargets(*t, request.mutable_rollback());
    StretchTimeout(ctx, *t);
    return FleetCall(ctx, request);
  };
}

Action DefineRollout(CLI::App& sub) {
  auto action = std::make_shared<std::string>("status");
  auto id = std::make_shared<uint64_t>(0);
  for (const char* a : {"status", "resume", "abort"}) {
    std::string help = std::string(a) == "status" ? "Show a rollout's waves (default: the newest)"
                       : std::string(a) == "resume" ? "Carry on with the next wave of a halted rollout"
                                                    : "Stop a rollout: later waves never start";
    CLI::App* s = sub.add_subcommand(a, help);
    s->add_option("ID", *id, "Rollout id (default: the newest)");
    s->callback([action, a] { *action = a; });
  }
  return [action, id](Context& ctx) {
    control::Request request;
    request.mutable_rollout()->set_action(*action);
    request.mutable_rollout()->set_id(*id);
    return ctx.Call(request, [&ctx](const control::Response& r) {
      return (r.text().empty() ? "" : r.text() + "\n") + RenderRollouts(r.rollouts(), ctx.env().now_unix_ms());
    });
  };
}

Action DefineHistory(CLI::App& sub) {
  auto host = std::make_shared<std::string>();
  auto limit = std::make_shared<uint32_t>(0);
  sub.add_option("HOST", *host, "Only this host's history");
  sub.add_option("--limit", *limit, "Entries to show (default 100)")->type_name("N");
  return [host, limit](Context& ctx) {
    control::Request request;
    request.mutable_history()->set_client_id(*host);
    request.mutable_history()->set_limit(*limit);
    return ctx.Call(request, [&ctx](const control::Response& r) {
      return RenderHistory(r.history(), ctx.env().now_unix_ms());
    });
  };
}

}  // namespace nxt::ctl
