// nxt_control unix-socket plumbing shared by ControlServer and ControlClient:
// creating the listening socket (stale cleanup, mode, group), taking it from
// systemd (socket activation), connecting, and moving bytes together with an
// SCM_RIGHTS file descriptor. Every socket is CLOEXEC; sends use MSG_NOSIGNAL
// so a vanished peer is an EPIPE error, never a SIGPIPE.
#pragma once

#include <sys/types.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace nxt::control {

// A non-blocking listening SOCK_STREAM socket at `path`. A leftover socket
// file nobody listens on is removed; one a live process still answers on is
// refused (Errc::kBusy) so a second daemon cannot steal the first one's path.
// The file gets `mode` (chmod after bind, before listen, so no connection is
// ever accepted under the umask's mode) and, if `group` is not empty, that
// group (Errc::kNotFound if it does not exist).
Result<UniqueFd> ListenUnix(const std::string& path, mode_t mode, const std::string& group);

// The listening unix SOCK_STREAM socket systemd passed (LISTEN_FDS /
// LISTEN_PID, sd_listen_fds(3)), made non-blocking. Errc::kNotFound when the
// process was not socket-activated or got no such socket. Other passed fds
// are left alone.
Result<UniqueFd> TakeSystemdListenFd();

// The first fd in `fds` that is a listening unix SOCK_STREAM socket, or -1.
int PickUnixStreamListener(std::span<const int> fds);

// A blocking connection to `path`. Errors read "cannot connect to PATH:
// strerror (hint)", the hint naming the daemon (DaemonNameForSocket) or the
// permission needed.
Result<UniqueFd> ConnectUnix(const std::string& path);

// "/run/nxt/serverd.sock" -> "nxt-serverd"; anything else -> "the daemon".
std::string DaemonNameForSocket(std::string_view path);

// One sendmsg(2) of `data` with `pass_fd` attached (if >= 0). Returns the
// bytes sent (possibly fewer than data.size(): send the rest without the fd).
Result<size_t> SendWithFd(int sock, std::string_view data, int pass_fd, bool nonblocking);

struct Received {
  size_t bytes = 0;             // 0 = the peer closed the connection
  std::vector<UniqueFd> fds;    // SCM_RIGHTS descriptors that came with these bytes
  bool truncated = false;       // the kernel dropped descriptors that did not fit
};
// One recvmsg(2) into `buf`, accepting up to 4 descriptors (MSG_CMSG_CLOEXEC).
// EAGAIN is Errc::kBusy.
Result<Received> RecvWithFds(int sock, std::span<char> buf, bool nonblocking);

}  // namespace nxt::control
