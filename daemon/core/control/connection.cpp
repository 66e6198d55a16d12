#include "control/connection.h"

#include <sys/socket.h>

#include <cerrno>

#include "control/server.h"
#include "control/unix_socket.h"

namespace nxt::control::detail {
namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;
// Reads per readable callback: 16 × 64 KiB, then other events get a turn.
constexpr int kReadsPerWakeup = 16;
// A request carries at most one fd; a few queued ones are tolerated.
constexpr size_t kMaxQueuedFds = 4;

std::string PeerText(const PeerCred& peer) {
  return "uid " + std::to_string(peer.uid) + " pid " + std::to_string(peer.pid);
}

}  // namespace

Connection::Connection(ControlServer& server, uint64_t id, UniqueFd fd, PeerCred peer)
    : server_(server),
      id_(id),
      fd_(std::move(fd)),
      peer_(std::move(peer)),
      decoder_(server.options_.max_frame_bytes),
      read_watch_(server.loop_, fd_.get(), sys::Io::kRead, [this] { OnReadable(); }),
      write_watch_(server.loop_, fd_.get(), sys::Io::kWrite, [this] { Flush(); }) {}

Connection::~Connection() = default;

nxt::Status Connection::Start() { return read_watch_.Start(); }

void Connection::RefuseWith(const Response& response) {
  close_after_flush_ = true;
  Result<std::string> frame = EncodeFrame(response, server_.options_.max_frame_bytes);
  if (frame.ok()) out_ += *frame;
  Flush();
}

bool Connection::Enqueue(const Response& response) {
  if (closed_ || close_after_flush_) return false;
  Result<std::string> frame = EncodeFrame(response, server_.options_.max_frame_bytes);
  if (!frame.ok()) {
    server_.log_.Error("control: reply not sent: " + frame.error().message());
    return false;
  }
  size_t pending = out_.size() - out_pos_;
  if (pending + frame->size() > server_.options_.max_output_bytes) {
    Close("peer is not reading its replies (" + std::to_string(pending) + " bytes pending)");
    return false;
  }
  out_ += *frame;
  Flush();
  return !closed_;
}

void Connection::OnReadable() {
  auto self = shared_from_this();  // the handler may drop the last other reference
  for (int i = 0; i < kReadsPerWakeup && ReadOnce(); ++i) {
  }
}

bool Connection::ReadOnce() {
  if (closed_ || close_after_flush_) return false;
  char buf[kReadChunkBytes];
  Result<Received> got = RecvWithFds(fd_.get(), buf, /*nonblocking=*/true);
  if (!got.ok()) {
    if (got.error().code() != Errc::kBusy) Close(got.error().message());
    return false;
  }
  if (got->bytes == 0) {
    Close("peer closed the connection");
    return false;
  }
  if (got->truncated) {
    Reject("too many file descriptors passed with one message");
    return false;
  }
  // The kernel hands over descriptors with the bytes of the sendmsg that
  // carried them and stops right after that message's first segment, so the
  // last byte read belongs to the frame the fd was sent with.
  for (UniqueFd& fd : got->fds) fds_.emplace_back(received_ + got->bytes - 1, std::move(fd));
  if (fds_.size() > kMaxQueuedFds) {
    Reject("too many file descriptors passed");
    return false;
  }
  received_ += got->bytes;
  decoder_.Feed(std::string_view(buf, got->bytes));
  HandleFrames();
  return !closed_ && !close_after_flush_;
}

void Connection::HandleFrames() {
  while (!closed_ && !close_after_flush_) {
    Result<std::optional<std::string>> frame = decoder_.Pop();
    if (!frame.ok()) {
      Reject(frame.error().message());
      return;
    }
    if (!frame->has_value()) return;
    UniqueFd passed = TakeFdFor(decoder_.consumed());
    Result<Request> request = ParseRequest(**frame);
    if (!request.ok()) {
      Reject(request.error().message());
      return;
    }
    auto replier = std::make_shared<Replier>(weak_from_this(), request->id());
    server_.Dispatch(std::move(request).value(), std::move(passed), std::move(replier));
  }
}

UniqueFd Connection::TakeFdFor(uint64_t frame_end) {
  UniqueFd first;
  while (!fds_.empty() && fds_.front().first < frame_end) {
    if (!first) first = std::move(fds_.front().second);  // extras are closed here
    fds_.pop_front();
  }
  return first;
}

void Connection::Flush() {
  while (!closed_ && out_pos_ < out_.size()) {
    ssize_t n = ::send(fd_.get(), out_.data() + out_pos_, out_.size() - out_pos_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      out_pos_ += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!write_watch_.active()) (void)write_watch_.Start();
      return;
    }
    Close(ErrnoError("send").message());
    return;
  }
  if (closed_) return;
  out_.clear();
  out_pos_ = 0;
  write_watch_.Stop();
  if (close_after_flush_) Close("reply sent, closing");
}

void Connection::Reject(const std::string& why) {
  server_.log_.Warning("control: closing connection from " + PeerText(peer_) + ": " + why);
  Response response;
  response.set_code(RESULT_INVALID);
  response.set_text(why);
  response.set_final(true);
  read_watch_.Stop();
  RefuseWith(response);
}

void Connection::Close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  server_.log_.Debug("control: connection from " + PeerText(peer_) + " closed: " + why);
  read_watch_.Stop();
  write_watch_.Stop();
  fd_.Reset();
  fds_.clear();
  out_.clear();
  out_pos_ = 0;
  server_.ScheduleReap();
}

}  // namespace nxt::control::detail
