// The conversation nxtctl has with a daemon: send one Request (optionally with
// an fd), read Responses until one is final. An interface so command tests can
// script a daemon's replies without a socket; the real one is nxt_control's
// ControlClient, which owns all framing and socket code.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "nxt/control.pb.h"

namespace nxt::ctl {

class Session {
 public:
  virtual ~Session() = default;
  // `pass_fd` (if >= 0) travels with the request via SCM_RIGHTS.
  virtual nxt::Status Send(const control::Request& request, int pass_fd) = 0;
  // The next Response; timeout_ms < 0 waits forever. Errc::kTimeout when
  // nothing arrived in time, Errc::kClosed when the daemon hung up.
  virtual Result<control::Response> Receive(int timeout_ms) = 0;
};

// Opens a Session to the control socket at a path. Errors are already worded
// for the operator ("cannot connect to PATH: ... (is nxt-serverd running?)").
using Connector = std::function<Result<std::unique_ptr<Session>>(const std::string& socket_path)>;

// Connects with nxt::control::ControlClient.
Connector SocketConnector();

}  // namespace nxt::ctl
