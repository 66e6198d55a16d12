// One accepted control connection (internal to nxt_control): reads frames and
// passed fds, dispatches Requests to the server's handler, buffers replies
// and writes them without blocking. Owned by ControlServer; Repliers hold
// weak references, so a closed connection simply stops taking replies.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "base/unique_fd.h"
#include "control/framing.h"
#include "control/peer.h"
#include "nxt/control.pb.h"
#include "sys/event_loop.h"

namespace nxt::control {

class ControlServer;

namespace detail {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ControlServer& server, uint64_t id, UniqueFd fd, PeerCred peer);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  nxt::Status Start();
  // Sends one reply and then closes (policy denial).
  void RefuseWith(const Response& response);

  // Queues a framed Response; false if closed or the output limit is hit.
  bool Enqueue(const Response& response);
  // Drops the connection now; its Repliers become closed().
  void Close(const std::string& why);
  bool closed() const { return closed_; }
  uint64_t id() const { return id_; }
  const PeerCred& peer() const { return peer_; }

 private:
  void OnReadable();
  bool ReadOnce();  // false: stop reading for now
  void HandleFrames();
  UniqueFd TakeFdFor(uint64_t frame_end);
  void Flush();
  // Tells the peer why (RESULT_INVALID, final) and closes once that is sent.
  void Reject(const std::string& why);

  ControlServer& server_;
  uint64_t id_;
  UniqueFd fd_;
  PeerCred peer_;
  FrameDecoder decoder_;
  uint64_t received_ = 0;                         // stream bytes read so far
  std::deque<std::pair<uint64_t, UniqueFd>> fds_;  // stream offset the fd arrived at
  std::string out_;
  size_t out_pos_ = 0;
  bool closed_ = false;
  bool close_after_flush_ = false;
  sys::IoWatch read_watch_;
  sys::IoWatch write_watch_;
};

}  // namespace detail
}  // namespace nxt::control
