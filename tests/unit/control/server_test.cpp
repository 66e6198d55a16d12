// ControlServer + ControlClient over real unix sockets in a temp dir (the
// module's job is sockets). The server runs on an EventLoop driven by
// RunUntil with a deadline; the client's blocking Receive only ever reads
// replies the server has already written, so nothing waits on the clock.
#include "control/server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sys/temp_dir.h"
#include "control/client.h"
#include "control/unix_socket.h"

namespace nxt::control {
namespace {

constexpr TimeUs kDeadline = 5 * kUsPerSec;  // only reached when broken
constexpr int kReceiveMs = 5000;

struct Received {
  Request request;
  UniqueFd fd;
  std::shared_ptr<Replier> replier;
};

class AControlServer : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = std::move(sys::EventLoop::Create()).value();
    path_ = dir_ / "serverd.sock";
  }

  void StartServer(ControlServerOptions options = {}) {
    if (!options.policy) options.policy = [](const PeerCred&) { return nxt::Status(); };
    server_ = std::make_unique<ControlServer>(
        *loop_, log_,
        [this](Request r, UniqueFd fd, std::shared_ptr<Replier> replier) {
          if (auto_reply_) (void)replier->Finish(RESULT_OK, "done " + std::to_string(r.id()));
          got_.push_back({std::move(r), std::move(fd), std::move(replier)});
        },
        std::move(options));
    ASSERT_TRUE(server_->Listen(path_).ok());
  }

  ControlClient Connect() {
    Result<ControlClient> c = ControlClient::Connect(path_);
    EXPECT_TRUE(c.ok()) << c.error().message();
    // Let the server accept, so connection_count() is meaningful.
    size_t before = server_->connection_count();
    EXPECT_TRUE(loop_->RunUntil([&] { return server_->connection_count() > before; }, kDeadline).ok());
    return std::move(c).value();
  }

  void RunUntilRequests(size_t n) {
    ASSERT_TRUE(loop_->RunUntil([&] { return got_.size() >= n; }, kDeadline).ok());
  }

  static Request StatusGet(uint64_t id) {
    Request r;
    r.set_id(id);
    r.mutable_status_get();
    return r;
  }

  sys::TempDir dir_;
  std::string path_;
  std::unique_ptr<sys::EventLoop> loop_;
  std::shared_ptr<sys::MemorySink> sink_ = std::make_shared<sys::MemorySink>();
  sys::Logger log_{sink_, "test", sys::LogLevel::kDebug};
  std::unique_ptr<ControlServer> server_;
  std::vector<Received> got_;
  bool auto_reply_ = false;
};

TEST_F(AControlServer, AnswersARequestWithTheRequestsId) {
  StartServer();
  ControlClient client = Connect();
  ASSERT_TRUE(client.Send(StatusGet(7)).ok());
  RunUntilRequests(1);
  EXPECT_TRUE(got_[0].request.has_status_get());
  EXPECT_FALSE(got_[0].fd.valid());
  Response reply;
  reply.set_final(true);
  reply.mutable_status()->set_daemon("nxt-serverd");
  EXPECT_TRUE(got_[0].replier->Send(reply));
  Result<Response> r = client.Receive(kReceiveMs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->id(), 7u);
  EXPECT_EQ(r->code(), RESULT_OK);
  EXPECT_TRUE(r->final());
  EXPECT_EQ(r->status().daemon(), "nxt-serverd");
}

TEST_F(AControlServer, StreamsSeveralResponsesUntilTheFinalOne) {
  StartServer();
  ControlClient client = Connect();
  ASSERT_TRUE(client.Send(StatusGet(3)).ok());
  RunUntilRequests(1);
  std::shared_ptr<Replier> replier = got_[0].replier;
  for (uint64_t done : {10u, 20u, 30u}) {
    Response progress;
    progress.mutable_progress()->set_size(30);
    progress.mutable_progress()->add_targets()->set_bytes_done(done);
    EXPECT_TRUE(replier->Send(progress));
  }
  EXPECT_TRUE(replier->Finish(RESULT_OK, "pushed to 1 client"));
  EXPECT_FALSE(replier->Send(Response()));  // nothing after the final one
  for (uint64_t done : {10u, 20u, 30u}) {
    Result<Response> r = client.Receive(kReceiveMs);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_FALSE(r->final());
    EXPECT_EQ(r->progress().targets(0).bytes_done(), done);
  }
  Result<Response> last = client.Receive(kReceiveMs);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->final());
  EXPECT_EQ(last->text(), "pushed to 1 client");
  EXPECT_EQ(client.Receive(0).error().code(), Errc::kTimeout);
}

TEST_F(AControlServer, HandsAPassedFdToTheHandlerWithItsOwnRequest) {
  StartServer();
  std::string file = dir_ / "libfunctional_2_0.so";
  {
    UniqueFd f(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_EQ(::write(f.get(), "ELF plug-in bytes", 17), 17);
  }
  UniqueFd artifact(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  ControlClient client = Connect();
  // Two requests back to back: the kernel may deliver them in one read, and
  // the fd must still land on the second.
  ASSERT_TRUE(client.Send(StatusGet(1)).ok());
  Request push;
  push.set_id(2);
  push.mutable_push()->set_path(file);
  ASSERT_TRUE(client.Send(push, artifact.get()).ok());
  RunUntilRequests(2);
  EXPECT_FALSE(got_[0].fd.valid());
  ASSERT_TRUE(got_[1].fd.valid());
  EXPECT_NE(got_[1].fd.get(), artifact.get());  // the server's own descriptor
  char buf[32] = {};
  ASSERT_EQ(::pread(got_[1].fd.get(), buf, sizeof buf, 0), 17);
  EXPECT_EQ(std::string(buf, 17), "ELF plug-in bytes");
  EXPECT_EQ(got_[1].request.push().path(), file);
}

TEST_F(AControlServer, DeniesAPeerItsPolicyRejects) {
  ControlServerOptions options;
  std::optional<PeerCred> seen;
  options.policy = [&seen](const PeerCred& peer) -> nxt::Status {
    seen = peer;
    return Error(Errc::kPermission, "permission denied: uid " + std::to_string(peer.uid) +
                                        " is not root or in group nxt");
  };
  StartServer(std::move(options));
  Result<ControlClient> client = ControlClient::Connect(path_);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client->Send(StatusGet(1)).ok());
  ASSERT_TRUE(loop_->RunUntil([&] { return sink_->Contains("refused"); }, kDeadline).ok());
  Result<Response> r = client->Receive(kReceiveMs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->code(), RESULT_DENIED);
  EXPECT_TRUE(r->final());
  EXPECT_EQ(r->text(), "permission denied: uid " + std::to_string(::getuid()) +
                           " is not root or in group nxt");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->uid, ::getuid());
  EXPECT_EQ(seen->pid, ::getpid());
  EXPECT_EQ(client->Receive(kReceiveMs).error().code(), Errc::kClosed);
  EXPECT_TRUE(got_.empty());
}

TEST_F(AControlServer, SurvivesAClientLeavingMidStream) {
  StartServer();
  {
    ControlClient client = Connect();
    ASSERT_TRUE(client.Send(StatusGet(1)).ok());
    RunUntilRequests(1);
    EXPECT_TRUE(got_[0].replier->Send(Response()));
  }  // the client goes away with a reply unread and the push still running
  std::shared_ptr<Replier> replier = got_[0].replier;
  // Sending before the loop noticed must fail quietly (EPIPE, no SIGPIPE).
  EXPECT_FALSE(replier->Send(Response()));
  ASSERT_TRUE(loop_->RunUntil([&] { return server_->connection_count() == 0; }, kDeadline).ok());
  EXPECT_TRUE(replier->closed());
  EXPECT_FALSE(replier->Finish(RESULT_OK, "too late"));
  // And the server keeps serving others.
  auto_reply_ = true;
  ControlClient next = Connect();
  ASSERT_TRUE(next.Send(StatusGet(2)).ok());
  RunUntilRequests(2);
  Result<Response> r = next.Receive(kReceiveMs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->text(), "done 2");
}

TEST_F(AControlServer, NoticesThePeerLeftBeforeAnyReply) {
  StartServer();
  {
    ControlClient client = Connect();
    ASSERT_TRUE(client.Send(StatusGet(1)).ok());
    RunUntilRequests(1);
  }
  std::shared_ptr<Replier> replier = got_[0].replier;
  ASSERT_TRUE(loop_->RunUntil([&] { return replier->closed(); }, kDeadline).ok());
  EXPECT_FALSE(replier->Send(Response()));
}

TEST_F(AControlServer, ClosesAConnectionThatSendsAnOversizeFrame) {
  ControlServerOptions options;
  options.max_frame_bytes = 1024;
  StartServer(std::move(options));
  ControlClient client = Connect();
  const char header[] = {0, 0x10, 0, 0};  // 1 MiB
  ASSERT_EQ(::write(client.fd(), header, 4), 4);
  ASSERT_TRUE(loop_->RunUntil([&] { return server_->connection_count() == 0; }, kDeadline).ok());
  Result<Response> r = client.Receive(kReceiveMs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->code(), RESULT_INVALID);
  EXPECT_EQ(r->text(), "frame of 1048576 bytes exceeds the limit of 1024 bytes");
  EXPECT_EQ(client.Receive(kReceiveMs).error().code(), Errc::kClosed);
  EXPECT_TRUE(sink_->Contains("exceeds the limit"));
  EXPECT_TRUE(got_.empty());
}

TEST_F(AControlServer, ClosesAConnectionThatSendsAnUnparsableFrame) {
  StartServer();
  ControlClient client = Connect();
  const char frame[] = {0, 0, 0, 4, '\xff', '\xff', '\xff', '\xff'};
  ASSERT_EQ(::write(client.fd(), frame, sizeof frame), static_cast<ssize_t>(sizeof frame));
  ASSERT_TRUE(loop_->RunUntil([&] { return server_->connection_count() == 0; }, kDeadline).ok());
  Result<Response> r = client.Receive(kReceiveMs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->code(), RESULT_INVALID);
  EXPECT_NE(r->text().find("malformed request"), std::string::npos);
  EXPECT_TRUE(got_.empty());
}

TEST_F(AControlServer, AnswersARequestItsHandlerDroppedWithAnError) {
  StartServer();
  ControlClient client = Connect();
  ASSERT_TRUE(client.Send(StatusGet(5)).ok());
  RunUntilRequests(1);
  got_.clear();  // the handler's work is abandoned
  Result<Response> r = client.Receive(kReceiveMs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->id(), 5u);
  EXPECT_EQ(r->code(), RESULT_ERROR);
  EXPECT_TRUE(r->final());
}

TEST_F(AControlServer, CreatesItsSocketWithTheRequestedModeAndRemovesItWhenDestroyed) {
  StartServer();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  server_.reset();
  EXPECT_NE(::stat(path_.c_str(), &st), 0);
}

TEST_F(AControlServer, ReplacesAStaleSocketButNotALiveOne) {
  {
    Result<UniqueFd> stale = ListenUnix(path_, 0660, "");
    ASSERT_TRUE(stale.ok());
  }  // closed: the file stays behind, nobody listens
  StartServer();
  Result<UniqueFd> second = ListenUnix(path_, 0660, "");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Errc::kBusy);
  EXPECT_NE(second.error().message().find("is nxt-serverd already running?"), std::string::npos);
}

TEST_F(AControlServer, ServesAnAdoptedListeningSocket) {
  Result<UniqueFd> fd = ListenUnix(path_, 0660, "");
  ASSERT_TRUE(fd.ok());
  auto_reply_ = true;
  ControlServer server(*loop_, log_,
                       [this](Request r, UniqueFd, std::shared_ptr<Replier> replier) {
                         got_.push_back({std::move(r), UniqueFd(), nullptr});
                         (void)replier->Finish(RESULT_OK, "adopted");
                       },
                       {.policy = [](const PeerCred&) { return nxt::Status(); }});
  ASSERT_TRUE(server.Adopt(std::move(fd).value()).ok());
  Result<ControlClient> client = ControlClient::Connect(path_);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client->Send(StatusGet(1)).ok());
  RunUntilRequests(1);
  EXPECT_EQ(client->Receive(kReceiveMs)->text(), "adopted");
}

TEST(ControlClientConnect, ExplainsAMissingSocket) {
  sys::TempDir dir;
  Result<ControlClient> c = ControlClient::Connect(dir / "serverd.sock");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message(), "cannot connect to " + dir / "serverd.sock" +
                                     ": No such file or directory (is nxt-serverd running?)");
}

TEST(PickUnixStreamListener, SkipsEverythingButAListeningUnixStreamSocket) {
  sys::TempDir dir;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd rd(pipe_fds[0]), wr(pipe_fds[1]);
  UniqueFd dgram(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  Result<UniqueFd> listener = ListenUnix(dir / "x.sock", 0600, "");
  ASSERT_TRUE(listener.ok());
  std::vector<int> fds{rd.get(), dgram.get(), listener->get()};
  EXPECT_EQ(PickUnixStreamListener(fds), listener->get());
  EXPECT_EQ(PickUnixStreamListener(std::vector<int>{rd.get()}), -1);
}

TEST(PeerCredentials, NameTheConnectingProcess) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  Result<PeerCred> peer = GetPeerCred(a.get());
  ASSERT_TRUE(peer.ok());
  EXPECT_EQ(peer->uid, ::getuid());
  EXPECT_EQ(peer->gid, ::getgid());
  EXPECT_EQ(peer->pid, ::getpid());
}

TEST(TheDefaultPolicy, LetsInRootTheDaemonsUserAndGroupMembersOnly) {
  const uid_t self = 500;
  const gid_t nxt = 120;
  auto check = [&](PeerCred p) { return CheckRootSelfOrGroup(p, self, nxt, "nxt"); };
  EXPECT_TRUE(check({1, 0, 0, {}}).ok());            // root
  EXPECT_TRUE(check({1, self, 500, {}}).ok());       // the daemon's own user
  EXPECT_TRUE(check({1, 1000, nxt, {}}).ok());       // primary group nxt
  EXPECT_TRUE(check({1, 1000, 1000, {27, nxt}}).ok());  // supplementary group nxt
  nxt::Status denied = check({1, 1000, 1000, {27}});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code(), Errc::kPermission);
  EXPECT_EQ(denied.error().message(), "permission denied: uid 1000 is not root or in group nxt");
  EXPECT_FALSE(CheckRootSelfOrGroup({1, 1000, 120, {}}, self, std::nullopt, "nxt").ok());
}

}  // namespace
}  // namespace nxt::control
