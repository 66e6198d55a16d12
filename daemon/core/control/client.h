// nxt_control client side: the blocking connection nxtctl uses to talk to a
// daemon. Send a Request (optionally with an fd, e.g. the plug-in file for a
// push), then Receive Responses until one is final. Errors are written for
// the operator: "cannot connect to /run/nxt/serverd.sock: No such file or
// directory (is nxt-serverd running?)".
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "control/framing.h"
#include "nxt/control.pb.h"

namespace nxt::control {

class ControlClient {
 public:
  static Result<ControlClient> Connect(const std::string& path,
                                       size_t max_frame_bytes = kDefaultMaxFrameBytes);
  // Wraps a connected stream socket (a socketpair in tests); `peer_name` is
  // used in error messages.
  ControlClient(UniqueFd fd, std::string peer_name,
                size_t max_frame_bytes = kDefaultMaxFrameBytes);

  // Sends one Request; `pass_fd` (if >= 0) travels with it via SCM_RIGHTS and
  // stays open here.
  nxt::Status Send(const Request& request, int pass_fd = -1);

  // The next Response. timeout_ms < 0 waits forever. Errc::kTimeout if none
  // arrived in time, kClosed if the daemon closed the connection, kCorrupt
  // for a frame that is too large or not a Response.
  Result<Response> Receive(int timeout_ms);

  int fd() const { return fd_.get(); }
  void Close() { fd_.Reset(); }

 private:
  Result<std::optional<Response>> PopResponse();

  UniqueFd fd_;
  std::string peer_name_;
  FrameDecoder decoder_;
};

}  // namespace nxt::control
