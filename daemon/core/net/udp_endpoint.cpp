#include "net/udp_endpoint.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nxt::net {
namespace {

// 64 KiB: the largest a GRO-coalesced receive can be.
constexpr size_t kGroSlotBytes = 65536;

static_assert(CMSG_SPACE(sizeof(int)) <= 64, "ControlSlot too small for a UDP_GRO cmsg");
static_assert(CMSG_SPACE(sizeof(uint16_t)) <= 64, "cmsg buffer too small for UDP_SEGMENT");

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

// Asks for `bytes` with the root-only FORCE option first (ignores
// net.core.*mem_max), then the capped one; returns what the kernel granted.
Result<int> SizeBuffer(int fd, int force_option, int option, int bytes) {
  if (bytes > 0 &&
      setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) != 0 &&
      setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes) != 0)
    return ErrnoError("setsockopt buffer size");
  int granted = 0;
  socklen_t len = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, option, &granted, &len) != 0)
    return ErrnoError("getsockopt buffer size");
  return granted;
}

Status SetInt(int fd, int level, int option, int value, const char* what) {
  if (setsockopt(fd, level, option, &value, sizeof value) != 0) return ErrnoError(what);
  return Ok();
}

}  // namespace

Result<UdpEndpoint> UdpEndpoint::Bind(const Address& local, const EndpointOptions& options) {
  if (!local.valid()) return Error(Errc::kInvalidArgument, "bind: no address");
  if (options.batch_size == 0 || options.max_datagram_bytes == 0)
    return Error(Errc::kInvalidArgument, "bind: batch_size and max_datagram_bytes must be > 0");
  UdpEndpoint ep;
  ep.family_ = local.family();
  ep.fd_ = UniqueFd(::socket(ep.family_, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!ep.fd_) return ErrnoError("socket");
  Status configured = ep.Configure(options, local.IsUnspecified());
  if (!configured) return std::move(configured).error().WithContext("bind " + local.ToString());
  if (::bind(ep.fd(), local.sockaddr_ptr(), local.sockaddr_len()) != 0)
    return ErrnoError("bind " + local.ToString());
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (getsockname(ep.fd(), reinterpret_cast<sockaddr*>(&bound), &len) != 0)
    return ErrnoError("getsockname");
  NXT_ASSIGN(ep.local_, Address::FromSockaddr(reinterpret_cast<sockaddr*>(&bound), len));
  // A dual-stack socket reports [::] even though IPv4 peers reach it.
  if (ep.dual_stack_) ep.local_ = Address::Ipv6Any(ep.local_.port());
  return ep;
}

Status UdpEndpoint::Configure(const EndpointOptions& options, bool wildcard) {
  if (family_ == AF_INET6) {
    // Only the wildcard can usefully be dual-stack: a specific IPv6 address
    // never receives IPv4 traffic (Address already turned ::ffff:a.b.c.d into IPv4).
    dual_stack_ = options.dual_stack && wildcard;
    NXT_TRY(SetInt(fd(), IPPROTO_IPV6, IPV6_V6ONLY, dual_stack_ ? 0 : 1, "setsockopt IPV6_V6ONLY"));
  }
  NXT_ASSIGN(rcvbuf_, SizeBuffer(fd(), SO_RCVBUFFORCE, SO_RCVBUF, options.receive_buffer_bytes));
  NXT_ASSIGN(sndbuf_, SizeBuffer(fd(), SO_SNDBUFFORCE, SO_SNDBUF, options.send_buffer_bytes));
  gro_ = options.gro;
  if (gro_) NXT_TRY(SetInt(fd(), SOL_UDP, UDP_GRO, 1, "setsockopt UDP_GRO"));

  batch_ = options.batch_size;
  slot_bytes_ = gro_ ? std::max(kGroSlotBytes, options.max_datagram_bytes) : options.max_datagram_bytes;
  rx_buffer_.reset(new uint8_t[batch_ * slot_bytes_]);
  rx_msgs_.resize(batch_);
  rx_iov_.resize(batch_);
  rx_addrs_.resize(batch_);
  rx_control_.resize(gro_ ? batch_ : 0);
  tx_msgs_.resize(batch_);
  tx_iov_.resize(batch_);
  tx_addrs_.resize(batch_);
  tx_control_.resize(batch_);
  return Ok();
}

void UdpEndpoint::PrepareReceive(size_t count) {
  for (size_t i = 0; i < count; ++i) {
    rx_iov_[i] = iovec{rx_buffer_.get() + i * slot_bytes_, slot_bytes_};
    msghdr& h = rx_msgs_[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &rx_addrs_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &rx_iov_[i];
    h.msg_iovlen = 1;
    if (gro_) {  // must be re-initialised before every call: the kernel shrinks it
      h.msg_control = rx_control_[i].bytes;
      h.msg_controllen = sizeof rx_control_[i].bytes;
    }
    rx_msgs_[i].msg_len = 0;
  }
}

void UdpEndpoint::AppendReceived(size_t slot, std::vector<ReceivedDatagram>& out) const {
  const mmsghdr& m = rx_msgs_[slot];
  auto from = Address::FromSockaddr(reinterpret_cast<const sockaddr*>(&rx_addrs_[slot]),
                                    m.msg_hdr.msg_namelen);
  if (!from) return;  // not an IP peer: cannot happen on an AF_INET/AF_INET6 socket
  const uint8_t* base = rx_buffer_.get() + slot * slot_bytes_;
  size_t len = std::min<size_t>(m.msg_len, slot_bytes_);
  bool truncated = (m.msg_hdr.msg_flags & MSG_TRUNC) != 0;

  size_t segment = len;  // no GRO cmsg: the slot holds one datagram
  if (gro_) {
    auto* h = const_cast<msghdr*>(&m.msg_hdr);
    for (cmsghdr* c = CMSG_FIRSTHDR(h); c != nullptr; c = CMSG_NXTHDR(h, c)) {
      if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
        int gso_size = 0;
        std::memcpy(&gso_size, CMSG_DATA(c), sizeof gso_size);
        if (gso_size > 0) segment = static_cast<size_t>(gso_size);
      }
    }
  }
  if (len == 0) {
    out.push_back(ReceivedDatagram{*from, {}, truncated});
    return;
  }
  for (size_t off = 0; off < len; off += segment) {
    size_t n = std::min(segment, len - off);
    out.push_back(ReceivedDatagram{*from, {base + off, n}, truncated});
  }
}

Result<size_t> UdpEndpoint::ReceiveBatch(std::vector<ReceivedDatagram>& out, size_t max) {
  out.clear();
  size_t count = std::min(max, batch_);
  if (count == 0) return size_t{0};
  PrepareReceive(count);
  int got = ::recvmmsg(fd(), rx_msgs_.data(), static_cast<unsigned>(count), MSG_DONTWAIT, nullptr);
  if (got < 0) {
    if (WouldBlock(errno)) return size_t{0};
    return ErrnoError("recvmmsg on " + local_.ToString());
  }
  for (int i = 0; i < got; ++i) AppendReceived(static_cast<size_t>(i), out);
  return out.size();
}

socklen_t UdpEndpoint::DestinationFor(const Address& to, sockaddr_storage* out) const {
  if (family_ == AF_INET6) return to.ToIpv6Sockaddr(out);
  std::memcpy(out, &to.storage(), sizeof *out);
  return to.sockaddr_len();
}

Result<size_t> UdpEndpoint::SendBatch(std::span<const OutgoingDatagram> batch) {
  size_t sent = 0;
  while (sent < batch.size()) {
    size_t count = std::min(batch_, batch.size() - sent);
    for (size_t i = 0; i < count; ++i) {
      const OutgoingDatagram& d = batch[sent + i];
      tx_iov_[i] = iovec{const_cast<uint8_t*>(d.data.data()), d.data.size()};
      msghdr& h = tx_msgs_[i].msg_hdr;
      h = msghdr{};
      h.msg_namelen = DestinationFor(d.to, &tx_addrs_[i]);
      h.msg_name = &tx_addrs_[i];
      h.msg_iov = &tx_iov_[i];
      h.msg_iovlen = 1;
      if (d.segment_size != 0 && d.data.size() > d.segment_size) {
        h.msg_control = tx_control_[i].bytes;
        h.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
        cmsghdr* c = CMSG_FIRSTHDR(&h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        std::memcpy(CMSG_DATA(c), &d.segment_size, sizeof d.segment_size);
      }
    }
    int n = ::sendmmsg(fd(), tx_msgs_.data(), static_cast<unsigned>(count), MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (WouldBlock(err) || sent > 0) return sent;
      return ErrnoError("sendmmsg to " + batch[sent].to.ToString(), err);
    }
    sent += static_cast<size_t>(n);
    if (static_cast<size_t>(n) < count) return sent;
  }
  return sent;
}

Result<size_t> UdpEndpoint::SendTo(const Address& to, std::span<const uint8_t> data) {
  sockaddr_storage dest;
  socklen_t len = DestinationFor(to, &dest);
  ssize_t n = ::sendto(fd(), data.data(), data.size(), MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(&dest), len);
  if (n < 0) {
    if (WouldBlock(errno)) return size_t{0};
    return ErrnoError("sendto " + to.ToString());
  }
  return size_t{1};
}

Result<size_t> UdpEndpoint::SendSegmented(const Address& to, std::span<const uint8_t> buffer,
                                          size_t segment_size) {
  if (segment_size == 0 || buffer.empty() || segment_size > 0xffff)
    return Error(Errc::kInvalidArgument, "segmented send: empty buffer or bad segment size");
  size_t segments = (buffer.size() + segment_size - 1) / segment_size;
  if (segments > kMaxSegments || buffer.size() > kMaxSegmentedBytes)
    return Error(Errc::kInvalidArgument, "segmented send: " + std::to_string(buffer.size()) +
                                             " bytes exceeds 64 segments or 65507 bytes");
  if (segments == 1) return SendTo(to, buffer);

  sockaddr_storage dest;
  iovec iov{const_cast<uint8_t*>(buffer.data()), buffer.size()};
  ControlSlot control{};
  msghdr h{};
  h.msg_namelen = DestinationFor(to, &dest);
  h.msg_name = &dest;
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = control.bytes;
  h.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
  cmsghdr* c = CMSG_FIRSTHDR(&h);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  auto seg16 = static_cast<uint16_t>(segment_size);
  std::memcpy(CMSG_DATA(c), &seg16, sizeof seg16);

  if (::sendmsg(fd(), &h, MSG_DONTWAIT) < 0) {
    int err = errno;
    if (WouldBlock(err)) return size_t{0};
    Error e = ErrnoError("sendmsg UDP_SEGMENT to " + to.ToString(), err);
    if (err == EIO || err == EOPNOTSUPP || err == ENOPROTOOPT) return Error(Errc::kUnsupported, e.message());
    return e;
  }
  return segments;
}

}  // namespace nxt::net
