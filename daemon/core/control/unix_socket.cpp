#include "control/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "control/peer.h"

namespace nxt::control {
namespace {

constexpr int kListenBacklog = 64;
constexpr size_t kMaxPassedFds = 4;  // a request carries at most one; a few more are tolerated

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return Error(Errc::kInvalidArgument, "control socket path '" + path + "' is empty or longer than " +
                                             std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Removes a socket file left behind by a daemon that died; refuses to touch a
// live one or anything that is not a socket.
nxt::Status RemoveStaleSocket(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok();
    return ErrnoError("lstat " + path);
  }
  if (!S_ISSOCK(st.st_mode))
    return Error(Errc::kInvalidArgument, path + " exists and is not a socket");
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return ErrnoError("socket");
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
    return Error(Errc::kBusy, "control socket " + path + " is in use by another process (is " +
                                  DaemonNameForSocket(path) + " already running?)");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError("unlink " + path);
  return Ok();
}

nxt::Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError("fcntl O_NONBLOCK");
  return Ok();
}

}  // namespace

Result<UniqueFd> ListenUnix(const std::string& path, mode_t mode, const std::string& group) {
  NXT_ASSIGN(sockaddr_un addr, UnixAddress(path));
  NXT_TRY(RemoveStaleSocket(path, addr));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return ErrnoError("socket");
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return ErrnoError("bind " + path);
  if (::chmod(path.c_str(), mode) != 0) return ErrnoError("chmod " + path);
  if (!group.empty()) {
    Result<gid_t> gid = LookupGroup(group);
    if (!gid.ok()) return std::move(gid).error().WithContext("chgrp " + path);
    if (::chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0)
      return ErrnoError("chgrp " + path + " " + group);
  }
  if (::listen(fd.get(), kListenBacklog) != 0) return ErrnoError("listen " + path);
  return fd;
}

int PickUnixStreamListener(std::span<const int> fds) {
  for (int fd : fds)
    if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) > 0) return fd;
  return -1;
}

Result<UniqueFd> TakeSystemdListenFd() {
  // 0: leave LISTEN_* in the environment; sd_listen_fds checks LISTEN_PID, so
  // children cannot mistake the fds for theirs.
  int n = sd_listen_fds(0);
  if (n < 0) return ErrnoError("sd_listen_fds", -n);
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) fds.push_back(SD_LISTEN_FDS_START + i);
  int fd = PickUnixStreamListener(fds);
  if (fd < 0)
    return Error(Errc::kNotFound, "no listening unix stream socket from systemd (LISTEN_FDS=" +
                                      std::to_string(n) + ")");
  UniqueFd owned(fd);
  NXT_TRY(SetNonBlocking(owned.get()));
  if (::fcntl(owned.get(), F_SETFD, FD_CLOEXEC) != 0) return ErrnoError("fcntl FD_CLOEXEC");
  return owned;
}

std::string DaemonNameForSocket(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base == "serverd.sock") return "nxt-serverd";
  if (base == "clientd.sock") return "nxt-clientd";
  return "the daemon";
}

Result<UniqueFd> ConnectUnix(const std::string& path) {
  NXT_ASSIGN(sockaddr_un addr, UnixAddress(path));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return ErrnoError("socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return fd;
  int err = errno;
  Error e = ErrnoError("cannot connect to " + path, err);
  if (err == ENOENT || err == ECONNREFUSED)
    return Error(e.code(), e.message() + " (is " + DaemonNameForSocket(path) + " running?)");
  if (err == EACCES || err == EPERM)
    return Error(e.code(), e.message() + " (run as root or as a member of group nxt)");
  return e;
}

Result<size_t> SendWithFd(int sock, std::string_view data, int pass_fd, bool nonblocking) {
  iovec iov{const_cast<char*>(data.data()), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass_fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  int flags = MSG_NOSIGNAL | (nonblocking ? MSG_DONTWAIT : 0);
  for (;;) {
    ssize_t n = ::sendmsg(sock, &msg, flags);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Error(Errc::kBusy, "send: would block");
    return ErrnoError("send");
  }
}

Result<Received> RecvWithFds(int sock, std::span<char> buf, bool nonblocking) {
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  int flags = MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0);
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Error(Errc::kBusy, "recv: would block");
    return ErrnoError("recv");
  }
  Received out;
  out.bytes = static_cast<size_t>(n);
  out.truncated = (msg.msg_flags & MSG_CTRUNC) != 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.fds.emplace_back(fd);
    }
  }
  return out;
}

}  // namespace nxt::control
