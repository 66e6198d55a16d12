// nxtctl's command line end to end against a scripted daemon: parsing, the
// socket choice, timeouts, error wording and exit statuses.
#include <gtest/gtest.h>

#include "fake_daemon.h"

namespace nxt::ctl {
namespace {

using testing::Harness;

control::Response StatusReply() {
  control::Response r;
  r.set_final(true);
  r.mutable_status()->set_daemon("nxt-serverd");
  r.mutable_status()->set_version("0.1.0");
  return r;
}

TEST(Nxtctl, TreatsAMissingCommandAsAUsageError) {
  Harness h;
  EXPECT_EQ(h.Run({}), kExitUsage);
  EXPECT_TRUE(h.daemon.connected_paths.empty());
}

TEST(Nxtctl, NamesAnUnknownCommandAndExitsWithUsageStatus) {
  Harness h;
  EXPECT_EQ(h.Run({"frobnicate"}), kExitUsage);
  EXPECT_NE(h.err.str().find("unknown command: frobnicate"), std::string::npos) << h.err.str();
}

TEST(Nxtctl, PrintsHelpAndVersionWithSuccess) {
  Harness h;
  EXPECT_EQ(h.Run({"--help"}), kExitOk);
  EXPECT_NE(h.out.str().find("list-commands"), std::string::npos);
  Harness v;
  EXPECT_EQ(v.Run({"--version"}), kExitOk);
  EXPECT_EQ(v.out.str().rfind("nxtctl ", 0), 0u) << v.out.str();
  Harness p;
  EXPECT_EQ(p.Run({"push", "--help"}), kExitOk);
  EXPECT_NE(p.out.str().find("--later"), std::string::npos);
}

TEST(Nxtctl, RejectsANegativeTimeoutAsAUsageError) {
  Harness h;
  EXPECT_EQ(h.Run({"--timeout", "-1", "status"}), kExitUsage);
}

TEST(NxtctlStatus, SendsStatusGetToTheDefaultSocketAndPrintsKeyValues) {
  Harness h;
  h.daemon.Reply(StatusReply());
  EXPECT_EQ(h.Run({"status"}), kExitOk);
  ASSERT_EQ(h.daemon.requests.size(), 1u);
  EXPECT_TRUE(h.daemon.requests[0].has_status_get());
  EXPECT_EQ(h.daemon.connected_paths, std::vector<std::string>{kDefaultSocket});
  EXPECT_EQ(h.daemon.timeouts_ms, std::vector<int>{10'000});
  EXPECT_NE(h.out.str().find("daemon:    nxt-serverd\n"), std::string::npos) << h.out.str();
}

TEST(NxtctlStatus, UsesNxtSocketFromTheEnvironmentUnlessSocketIsGiven) {
  Harness env_only;
  env_only.socket_env = "/run/nxt/clientd.sock";
  env_only.daemon.Reply(StatusReply());
  EXPECT_EQ(env_only.Run({"status"}), kExitOk);
  EXPECT_EQ(env_only.daemon.connected_paths, std::vector<std::string>{"/run/nxt/clientd.sock"});

  Harness both;
  both.socket_env = "/run/nxt/clientd.sock";
  both.daemon.Reply(StatusReply());
  EXPECT_EQ(both.Run({"--socket", "/tmp/x.sock", "status"}), kExitOk);
  EXPECT_EQ(both.daemon.connected_paths, std::vector<std::string>{"/tmp/x.sock"});
}

TEST(NxtctlStatus, AcceptsGlobalFlagsAfterTheCommand) {
  Harness h;
  h.daemon.Reply(StatusReply());
  EXPECT_EQ(h.Run({"status", "--json", "--timeout", "2.5"}), kExitOk);
  EXPECT_EQ(h.daemon.timeouts_ms, std::vector<int>{2'500});
  EXPECT_EQ(h.out.str().rfind("{", 0), 0u) << h.out.str();
}

TEST(NxtctlStatus, PrintsTheDaemonsErrorTextAndFails) {
  Harness h;
  control::Response denied;
  denied.set_code(control::RESULT_DENIED);
  denied.set_text("uid 1000 is not in group nxt");
  denied.set_final(true);
  h.daemon.Reply(denied);
  EXPECT_EQ(h.Run({"status"}), kExitFailure);
  EXPECT_EQ(h.err.str(), "nxtctl: uid 1000 is not in group nxt\n");
  EXPECT_EQ(h.out.str(), "");
}

TEST(NxtctlStatus, PassesTheConnectErrorThroughUnchanged) {
  Harness h;
  h.daemon.connect_error = Error(Errc::kIo,
      "cannot connect to /run/nxt/serverd.sock: No such file or directory (is nxt-serverd running?)");
  EXPECT_EQ(h.Run({"status"}), kExitFailure);
  EXPECT_EQ(h.err.str(),
            "nxtctl: cannot connect to /run/nxt/serverd.sock: No such file or directory "
            "(is nxt-serverd running?)\n");
}

TEST(NxtctlStatus, ReportsADaemonThatNeverAnswers) {
  Harness h;
  h.daemon.replies.push_back(Error(Errc::kTimeout, "no reply from nxt-serverd within 10000 ms"));
  EXPECT_EQ(h.Run({"status"}), kExitFailure);
  EXPECT_EQ(h.err.str(), "nxtctl: no reply from nxt-serverd within 10000 ms\n");
}

TEST(NxtctlClients, SendsClientsListAndPrintsTheTable) {
  Harness h;
  control::Response r;
  r.set_final(true);
  control::ClientInfo* c = r.mutable_clients()->add_clients();
  c->set_id("host-a");
  c->set_state("active");
  h.daemon.Reply(r);
  EXPECT_EQ(h.Run({"clients"}), kExitOk);
  EXPECT_TRUE(h.daemon.requests.at(0).has_clients_list());
  EXPECT_EQ(h.out.str().rfind("ID  ", 0), 0u) << h.out.str();
  EXPECT_NE(h.out.str().find("host-a"), std::string::npos);
}

TEST(NxtctlListCommands, PrintsTheDaemonsCommands) {
  Harness h;
  control::Response r;
  r.set_final(true);
  r.mutable_commands()->add_commands("status-get");
  r.mutable_commands()->add_commands("push");
  h.daemon.Reply(r);
  EXPECT_EQ(h.Run({"list-commands"}), kExitOk);
  EXPECT_TRUE(h.daemon.requests.at(0).has_commands_list());
  EXPECT_EQ(h.out.str(), "status-get\npush\n");
}

}  // namespace
}  // namespace nxt::ctl
