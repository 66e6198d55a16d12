// nxt_control server side: ControlServer accepts nxtctl connections on the
// daemon's EventLoop, checks each peer's credentials, decodes Requests (with
// an SCM_RIGHTS fd if one came along) and hands them to the daemon's handler
// together with a Replier. The handler answers through the Replier at once or
// later, as often as it likes (push progress), until a final Response.
//
// Nothing a peer sends can hurt the daemon: an oversize or unparsable frame
// gets one RESULT_INVALID reply and the connection is closed; a peer that
// stops reading is dropped once its output buffer passes the limit; a peer
// that disappears only makes its Repliers report closed().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "control/framing.h"
#include "control/peer.h"
#include "nxt/control.pb.h"
#include "sys/event_loop.h"
#include "sys/log.h"

namespace nxt::control {

namespace detail {
class Connection;
}

// Answers one Request. Shared: keep it as long as the work takes.
class Replier {
 public:
  Replier(std::weak_ptr<detail::Connection> connection, uint64_t request_id);
  // A request dropped without a final Response would leave nxtctl waiting
  // forever: the destructor sends a final RESULT_ERROR in that case.
  ~Replier();
  Replier(const Replier&) = delete;
  Replier& operator=(const Replier&) = delete;

  // Queues `response` (its id is set to the request's). Returns false and
  // does nothing if the peer went away or a final Response was already sent.
  // Never blocks: output is buffered and written as the socket allows.
  bool Send(Response response);
  // Send of a final Response with just a code and text.
  bool Finish(ResultCode code, std::string text);

  bool closed() const;    // the connection is gone; further Sends are dropped
  bool finished() const { return finished_; }
  uint64_t request_id() const { return request_id_; }

 private:
  std::weak_ptr<detail::Connection> connection_;
  uint64_t request_id_;
  bool finished_ = false;
};

// A Response with a code and one line of text (final unless said otherwise).
Response MakeResponse(ResultCode code, std::string text, bool final = true);

struct ControlServerOptions {
  size_t max_frame_bytes = kDefaultMaxFrameBytes;
  size_t max_connections = 64;
  // 64 MiB of unread replies: a peer that stopped reading is cut off.
  size_t max_output_bytes = size_t{64} << 20;
  // Empty = RootSelfOrGroup("nxt").
  PeerPolicy policy;
};

class ControlServer {
 public:
  using Handler =
      std::function<void(Request request, UniqueFd passed_fd, std::shared_ptr<Replier> replier)>;

  ControlServer(sys::EventLoop& loop, sys::Logger& log, Handler handler,
                ControlServerOptions options = {});
  // Closes every connection (their Repliers become closed()) and removes the
  // socket file if Listen() created it and it is still ours.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket at `path` (see ListenUnix) and starts accepting.
  nxt::Status Listen(const std::string& path, mode_t mode = 0660, const std::string& group = "");
  // Accepts on an already-listening socket (TakeSystemdListenFd()).
  nxt::Status Adopt(UniqueFd listening_fd);

  size_t connection_count() const { return connections_.size(); }

 private:
  friend class detail::Connection;
  void Accept();
  void AcceptOne(UniqueFd fd);
  void Dispatch(Request request, UniqueFd passed_fd, std::shared_ptr<Replier> replier);
  void ScheduleReap() { reaper_.Arm(0); }
  void Reap();

  sys::EventLoop& loop_;
  sys::Logger& log_;
  Handler handler_;
  ControlServerOptions options_;
  UniqueFd listen_fd_;
  std::unique_ptr<sys::IoWatch> accept_watch_;
  sys::Timer accept_retry_;  // after EMFILE & co., so a full fd table cannot spin the loop
  sys::Timer reaper_;        // frees closed connections outside their own callbacks
  std::map<uint64_t, std::shared_ptr<detail::Connection>> connections_;
  uint64_t next_connection_id_ = 1;
  std::string socket_path_;  // set when Listen() created the file
  dev_t socket_dev_ = 0;
  ino_t socket_ino_ = 0;
};

}  // namespace nxt::control
