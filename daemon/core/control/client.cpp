#include "control/client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "control/unix_socket.h"

namespace nxt::control {
namespace {

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

Result<ControlClient> ControlClient::Connect(const std::string& path, size_t max_frame_bytes) {
  NXT_ASSIGN(UniqueFd fd, ConnectUnix(path));
  return ControlClient(std::move(fd), DaemonNameForSocket(path), max_frame_bytes);
}

ControlClient::ControlClient(UniqueFd fd, std::string peer_name, size_t max_frame_bytes)
    : fd_(std::move(fd)), peer_name_(std::move(peer_name)), decoder_(max_frame_bytes) {}

nxt::Status ControlClient::Send(const Request& request, int pass_fd) {
  if (!fd_) return Error(Errc::kClosed, "not connected to " + peer_name_);
  NXT_ASSIGN(std::string frame, EncodeFrame(request, decoder_.max_frame_bytes()));
  std::string_view rest = frame;
  // The fd rides on the first sendmsg, which carries the frame's first byte.
  int fd_to_pass = pass_fd;
  while (!rest.empty()) {
    Result<size_t> sent = SendWithFd(fd_.get(), rest, fd_to_pass, /*nonblocking=*/false);
    if (!sent.ok()) {
      if (sent.error().code() == Errc::kIo)
        return Error(Errc::kClosed, "sending to " + peer_name_ + ": " + sent.error().message());
      return std::move(sent).error().WithContext("sending to " + peer_name_);
    }
    rest.remove_prefix(*sent);
    fd_to_pass = -1;
  }
  return Ok();
}

Result<std::optional<Response>> ControlClient::PopResponse() {
  Result<std::optional<std::string>> frame = decoder_.Pop();
  if (!frame.ok()) return std::move(frame).error().WithContext("reply from " + peer_name_);
  if (!frame->has_value()) return std::optional<Response>();
  Result<Response> response = ParseResponse(**frame);
  if (!response.ok()) return std::move(response).error().WithContext("reply from " + peer_name_);
  return std::optional<Response>(std::move(response).value());
}

Result<Response> ControlClient::Receive(int timeout_ms) {
  if (!fd_) return Error(Errc::kClosed, "not connected to " + peer_name_);
  int64_t deadline = timeout_ms < 0 ? -1 : NowMs() + timeout_ms;
  for (;;) {
    NXT_ASSIGN(std::optional<Response> ready, PopResponse());
    if (ready) return std::move(*ready);
    int wait_ms = -1;
    if (deadline >= 0) wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - NowMs()));
    pollfd p{fd_.get(), POLLIN, 0};
    int n = ::poll(&p, 1, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("poll");
    if (n == 0)
      return Error(Errc::kTimeout,
                   "no reply from " + peer_name_ + " within " + std::to_string(timeout_ms) + " ms");
    char buf[64 * 1024];
    ssize_t got = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno != ECONNRESET) return ErrnoError("receiving from " + peer_name_);
    if (got <= 0) return Error(Errc::kClosed, peer_name_ + " closed the connection");
    decoder_.Feed(std::string_view(buf, static_cast<size_t>(got)));
  }
}

}  // namespace nxt::control
