// A scripted daemon for nxtctl tests: Run() connects through FakeDaemon's
// Connector, and every Send/Receive lands here instead of on a socket.
#pragma once

#include <sys/stat.h>

#include <deque>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ctl/ctl.h"

namespace nxt::ctl::testing {

struct FakeDaemon {
  std::deque<Result<control::Response>> replies;  // handed out in order; then "closed"
  std::optional<Error> connect_error;
  std::vector<std::string> connected_paths;
  std::vector<control::Request> requests;
  std::vector<int> timeouts_ms;
  std::optional<struct stat> passed_file;  // fstat of the fd sent with a request

  void Reply(control::Response response) { replies.push_back(std::move(response)); }

  Connector connector();
};

class FakeSession final : public Session {
 public:
  explicit FakeSession(FakeDaemon& daemon) : daemon_(daemon) {}

  nxt::Status Send(const control::Request& request, int pass_fd) override {
    daemon_.requests.push_back(request);
    if (pass_fd >= 0) {
      struct stat st {};
      if (::fstat(pass_fd, &st) == 0) daemon_.passed_file = st;
    }
    return Ok();
  }

  Result<control::Response> Receive(int timeout_ms) override {
    daemon_.timeouts_ms.push_back(timeout_ms);
    if (daemon_.replies.empty()) return Error(Errc::kClosed, "nxt-serverd closed the connection");
    Result<control::Response> next = std::move(daemon_.replies.front());
    daemon_.replies.pop_front();
    return next;
  }

 private:
  FakeDaemon& daemon_;
};

inline Connector FakeDaemon::connector() {
  return [this](const std::string& path) -> Result<std::unique_ptr<Session>> {
    connected_paths.push_back(path);
    if (connect_error) return *connect_error;
    return std::unique_ptr<Session>(std::make_unique<FakeSession>(*this));
  };
}

// Output streams, a fixed clock and the fake daemon, ready for Run().
struct Harness {
  FakeDaemon daemon;
  std::ostringstream out;
  std::ostringstream err;
  bool tty = false;
  std::optional<std::string> socket_env;

  int Run(const std::vector<std::string>& args) {
    Environment env{.out = out,
                    .err = err,
                    .out_is_tty = tty,
                    .columns = 100,
                    .socket_env = socket_env,
                    .now_unix_ms = [] { return uint64_t{1'700'000'000'000}; },
                    .connect = daemon.connector()};
    return ctl::Run(args, env);
  }
};

}  // namespace nxt::ctl::testing
