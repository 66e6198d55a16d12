#include "control/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <exception>

#include "control/connection.h"
#include "control/unix_socket.h"

namespace nxt::control {
namespace {

constexpr TimeUs kAcceptRetryUs = 100 * kUsPerMs;  // after running out of fds
constexpr int kAcceptsPerWakeup = 64;

}  // namespace

ControlServer::ControlServer(sys::EventLoop& loop, sys::Logger& log, Handler handler,
                             ControlServerOptions options)
    : loop_(loop),
      log_(log),
      handler_(std::move(handler)),
      options_(std::move(options)),
      accept_retry_(loop, [this] {
        if (accept_watch_) (void)accept_watch_->Start();
      }),
      reaper_(loop, [this] { Reap(); }) {
  if (!options_.policy) options_.policy = RootSelfOrGroup("nxt");
}

ControlServer::~ControlServer() {
  for (auto& [id, connection] : connections_) connection->Close("server shutting down");
  connections_.clear();
  accept_watch_.reset();
  if (socket_path_.empty()) return;
  // Only remove the file if it is still the socket we bound, not a newer
  // daemon's.
  struct stat st {};
  if (::lstat(socket_path_.c_str(), &st) == 0 && st.st_dev == socket_dev_ &&
      st.st_ino == socket_ino_)
    ::unlink(socket_path_.c_str());
}

nxt::Status ControlServer::Listen(const std::string& path, mode_t mode, const std::string& group) {
  if (listen_fd_) return Error(Errc::kBusy, "control server is already listening");
  NXT_ASSIGN(UniqueFd fd, ListenUnix(path, mode, group));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    socket_path_ = path;
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
  }
  return Adopt(std::move(fd));
}

nxt::Status ControlServer::Adopt(UniqueFd listening_fd) {
  if (listen_fd_) return Error(Errc::kBusy, "control server is already listening");
  int flags = ::fcntl(listening_fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(listening_fd.get(), F_SETFL, flags | O_NONBLOCK) != 0)
    return ErrnoError("fcntl O_NONBLOCK on the control socket");
  listen_fd_ = std::move(listening_fd);
  accept_watch_ = std::make_unique<sys::IoWatch>(loop_, listen_fd_.get(), sys::Io::kRead,
                                                 [this] { Accept(); });
  return accept_watch_->Start();
}

void ControlServer::Accept() {
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      AcceptOne(UniqueFd(fd));
      continue;
    }
    int err = errno;
    if (err == EINTR || err == ECONNABORTED) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) return;
    log_.Warning("control: " + ErrnoError("accept", err).message());
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      // The socket stays readable; without a pause the loop would spin.
      accept_watch_->Stop();
      accept_retry_.Arm(kAcceptRetryUs);
    }
    return;
  }
}

void ControlServer::AcceptOne(UniqueFd fd) {
  if (connections_.size() >= options_.max_connections) {
    log_.Warning("control: refusing a connection: already " + std::to_string(connections_.size()) +
                 " open");
    return;
  }
  Result<PeerCred> peer = GetPeerCred(fd.get());
  if (!peer.ok()) {
    log_.Warning("control: refusing a connection: " + peer.error().message());
    return;
  }
  uint64_t id = next_connection_id_++;
  auto connection = std::make_shared<detail::Connection>(*this, id, std::move(fd), *peer);
  connections_.emplace(id, connection);
  nxt::Status allowed = options_.policy(*peer);
  if (!allowed.ok()) {
    log_.Notice("control: refused pid " + std::to_string(peer->pid) + ": " +
                    allowed.error().message(),
                {{"NXT_PEER_UID", std::to_string(peer->uid)}});
    Response denied;
    denied.set_code(RESULT_DENIED);
    denied.set_text(allowed.error().message());
    denied.set_final(true);
    connection->RefuseWith(denied);
    return;
  }
  if (nxt::Status started = connection->Start(); !started.ok()) {
    log_.Warning("control: " + started.error().message());
    connections_.erase(id);
  }
}

void ControlServer::Dispatch(Request request, UniqueFd passed_fd,
                             std::shared_ptr<Replier> replier) {
  // The handler is daemon code; an exception must not unwind through libevent.
  try {
    handler_(std::move(request), std::move(passed_fd), replier);
  } catch (const std::exception& e) {
    log_.Error(std::string("control: request handler failed: ") + e.what());
    (void)replier->Finish(RESULT_ERROR, std::string("internal error: ") + e.what());
  }
}

void ControlServer::Reap() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->second->closed()) {
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace nxt::control
