// nxtctl push against a scripted daemon: the request it sends (path, targets,
// activation, the passed fd), how it follows the progress stream, and the
// exit status an operator or a script relies on.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_daemon.h"

namespace nxt::ctl {
namespace {

namespace fs = std::filesystem;

control::TargetProgress Target(const std::string& id, control::TargetState state) {
  control::TargetProgress t;
  t.set_client_id(id);
  t.set_state(state);
  t.set_bytes_total(4);
  t.set_bytes_done(state == control::TARGET_OFFERED ? 0 : 4);
  return t;
}

control::Response Progress(std::vector<control::TargetProgress> targets, bool final) {
  control::Response r;
  r.set_final(final);
  for (const auto& t : targets) *r.mutable_progress()->add_targets() = t;
  r.mutable_progress()->set_done(final);
  return r;
}

class NxtctlPush : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("nxtctl-push-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    file_ = (dir_ / "libfunctional_8_6.so").string();
    std::ofstream(file_) << "\x7f" "ELF";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Two hosts: offered, then `a_end` / `b_end` in the final reply.
  void ScriptTwoHosts(control::TargetState a_end, control::TargetState b_end) {
    h_.daemon.Reply(Progress({Target("a", control::TARGET_OFFERED), Target("b", control::TARGET_OFFERED)}, false));
    h_.daemon.Reply(Progress({Target("a", a_end), Target("b", b_end)}, true));
  }

  fs::path dir_;
  std::string file_;
  testing::Harness h_;
};

TEST_F(NxtctlPush, FailsOnAMissingFileBeforeConnecting) {
  std::string missing = (dir_ / "nope.so").string();
  EXPECT_EQ(h_.Run({"push", missing}), kExitFailure);
  EXPECT_TRUE(h_.daemon.connected_paths.empty());
  EXPECT_EQ(h_.err.str(), "nxtctl: cannot open " + missing + ": No such file or directory\n");
}

TEST_F(NxtctlPush, RefusesADirectory) {
  EXPECT_EQ(h_.Run({"push", dir_.string()}), kExitFailure);
  EXPECT_TRUE(h_.daemon.connected_paths.empty());
  EXPECT_NE(h_.err.str().find("not a regular file"), std::string::npos);
}

TEST_F(NxtctlPush, SendsTheAbsolutePathTargetsActivationAndTheOpenFile) {
  ScriptTwoHosts(control::TARGET_STAGED, control::TARGET_STAGED);
  fs::path old_cwd = fs::current_path();
  fs::current_path(dir_);
  int code = h_.Run({"push", "libfunctional_8_6.so", "--to", "a", "--to", "b,c", "--later", "--version", "8.6",
                     "--product", "nxtgen", "--downgrade", "--expires-days", "30"});
  fs::current_path(old_cwd);
  EXPECT_EQ(code, kExitOk) << h_.err.str();
  ASSERT_EQ(h_.daemon.requests.size(), 1u);
  const control::Push& push = h_.daemon.requests[0].push();
  EXPECT_EQ(push.path(), file_);
  EXPECT_EQ(std::vector<std::string>(push.to().begin(), push.to().end()),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(push.activation(), wire::ACTIVATION_LATER);
  EXPECT_EQ(push.product(), "nxtgen");  // what the server signs
  EXPECT_EQ(push.major(), 8u);
  EXPECT_EQ(push.minor(), 6u);
  EXPECT_TRUE(push.downgrade());
  EXPECT_EQ(push.expires_days(), 30u);
  ASSERT_TRUE(h_.daemon.passed_file.has_value());
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(h_.daemon.passed_file->st_ino, st.st_ino) << "the fd passed is the file named";
  EXPECT_EQ(h_.daemon.passed_file->st_dev, st.st_dev);
}

TEST_F(NxtctlPush, WaitsForProgressWithoutATimeoutUnlessOneIsGiven) {
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_INSTALLED);
  EXPECT_EQ(h_.Run({"push", file_}), kExitOk);
  EXPECT_EQ(h_.daemon.timeouts_ms, (std::vector<int>{-1, -1}));
}

TEST_F(NxtctlPush, ExitsZeroAndSaysSoWhenEveryHostInstalled) {
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_INSTALLED);
  EXPECT_EQ(h_.Run({"push", file_}), kExitOk);
  EXPECT_NE(h_.out.str().find("HOST  RESULT"), std::string::npos) << h_.out.str();
  EXPECT_NE(h_.out.str().find("all 2 hosts installed\n"), std::string::npos) << h_.out.str();
}

TEST_F(NxtctlPush, ExitsOneAndCountsTheHostsThatFailed) {
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_FAILED);
  EXPECT_EQ(h_.Run({"push", file_}), kExitFailure);
  EXPECT_NE(h_.out.str().find("1 of 2 hosts failed\n"), std::string::npos) << h_.out.str();
}

// A host whose owner set activation = manual or a window stages every release.
TEST_F(NxtctlPush, CountsStagedAsDoneEvenWhenActivationWasImmediate) {
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_STAGED);
  EXPECT_EQ(h_.Run({"push", file_}), kExitOk);
}

TEST_F(NxtctlPush, OffATerminalPrintsStateChangesThenTheTable) {
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_INSTALLED);
  EXPECT_EQ(h_.Run({"push", file_}), kExitOk);
  EXPECT_EQ(h_.out.str().rfind("a: offered\nb: offered\na: installed\nb: installed\nHOST", 0), 0u) << h_.out.str();
  EXPECT_EQ(h_.out.str().find("\x1b["), std::string::npos) << "no ANSI codes in a log";
}

TEST_F(NxtctlPush, OnATerminalDrawsBarsUnlessToldNotTo) {
  h_.tty = true;
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_INSTALLED);
  EXPECT_EQ(h_.Run({"push", file_}), kExitOk);
  EXPECT_NE(h_.out.str().find("\x1b[2A"), std::string::npos) << "redrew in place";

  testing::Harness quiet;
  quiet.tty = true;
  quiet.daemon.Reply(Progress({Target("a", control::TARGET_INSTALLED)}, true));
  EXPECT_EQ(quiet.Run({"push", "--no-progress", file_}), kExitOk);
  EXPECT_EQ(quiet.out.str().rfind("HOST", 0), 0u) << quiet.out.str();
}

TEST_F(NxtctlPush, WithJsonPrintsOneResponseObjectPerLineAndNothingElse) {
  ScriptTwoHosts(control::TARGET_INSTALLED, control::TARGET_FAILED);
  EXPECT_EQ(h_.Run({"--json", "push", "--version", "8.6", file_}), kExitFailure);
  std::istringstream lines(h_.out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    control::Response parsed;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &parsed).ok()) << line;
    EXPECT_EQ(parsed.progress().targets_size(), 2);
    ++count;
  }
  EXPECT_EQ(count, 2);
  EXPECT_EQ(h_.err.str(), "nxtctl: 1 of 2 hosts failed\n");
}

TEST_F(NxtctlPush, FailsWhenTheDaemonHangsUpBeforeTheFinalReply) {
  h_.daemon.Reply(Progress({Target("a", control::TARGET_OFFERED)}, false));
  EXPECT_EQ(h_.Run({"push", "--version", "8.6", file_}), kExitFailure);
  EXPECT_EQ(h_.err.str(), "nxtctl: push interrupted: nxt-serverd closed the connection\n");
}

TEST_F(NxtctlPush, StopsAtAnErrorReplyAndPrintsItsText) {
  control::Response bad;
  bad.set_code(control::RESULT_NOT_FOUND);
  bad.set_text("unknown client id: zz");
  bad.set_final(true);
  h_.daemon.Reply(bad);
  EXPECT_EQ(h_.Run({"push", "--version", "8.6", "--to", "zz", file_}), kExitFailure);
  EXPECT_EQ(h_.err.str(), "nxtctl: unknown client id: zz\n");
}

TEST_F(NxtctlPush, WithAWaveSendsGroupWaveAndThresholdAndReturnsOnceTheRolloutStarted) {
  control::Response started;
  started.set_final(true);
  started.set_text("rollout 1 started");
  started.mutable_rollouts()->add_rollouts()->set_id(1);
  h_.daemon.Reply(started);
  EXPECT_EQ(h_.Run({"push", file_, "--group", "web", "--wave", "10%", "--max-failures", "1"}), kExitOk)
      << h_.err.str();
  const control::Push& p = h_.daemon.requests[0].push();
  EXPECT_EQ(p.group(), "web");
  EXPECT_EQ(p.wave(), "10%");
  EXPECT_EQ(p.max_failures(), "1");
  EXPECT_EQ(h_.out.str().rfind("rollout 1 started\nrollout 1:", 0), 0u) << h_.out.str();
}

}  // namespace
}  // namespace nxt::ctl
