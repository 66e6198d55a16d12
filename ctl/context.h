// What every nxtctl sub-command shares: the global options, the process
// environment, and the request/response helpers that make one command a few
// lines (connect, send, print an error or JSON, pick the exit status).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ctl/ctl.h"
#include "ctl/session.h"
#include "nxt/control.pb.h"

namespace nxt::ctl {

struct GlobalOptions {
  std::string socket = kDefaultSocket;
  bool json = false;
  double timeout_s = -1;  // < 0: not given on the command line
};

class Context {
 public:
  explicit Context(const Environment& env) : env_(env) {}

  const Environment& env() const { return env_; }
  GlobalOptions& options() { return options_; }
  const GlobalOptions& options() const { return options_; }

  // Milliseconds to wait for a one-shot reply: --timeout, else 10 s.
  int ReplyTimeoutMs() const;
  // Milliseconds to wait between streamed replies: --timeout, else forever
  // (the daemon times out stalled hosts itself and then ends the stream).
  int StreamTimeoutMs() const;

  // Prints "nxtctl: <message>" to stderr and returns kExitFailure.
  int Fail(const std::string& message) const;

  // Connects and sends `request` (with `pass_fd` if >= 0).
  Result<std::unique_ptr<Session>> Open(const control::Request& request, int pass_fd = -1) const;

  // In --json mode prints the response as one JSON line. Then, if its code is
  // not RESULT_OK, prints its text as an error. Returns false on an error code.
  bool Show(const control::Response& response) const;

  // The whole of a one-reply command: send `request`, wait for the reply and,
  // unless --json, print render(reply). Returns the exit status.
  using Render = std::function<std::string(const control::Response&)>;
  int Call(const control::Request& request, const Render& render) const;

 private:
  const Environment& env_;
  GlobalOptions options_;
};

}  // namespace nxt::ctl
