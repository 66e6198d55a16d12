// A bound, non-blocking UDP socket with batched I/O (see address.h for what
// nxt_net owns and must never do). The caller's event loop polls fd() for
// readability and calls ReceiveBatch until it returns 0; sends never block:
// a full socket buffer is reported as "fewer sent", not as an error.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "net/address.h"

namespace nxt::net {

struct EndpointOptions {
  // 8 MiB each way: at 600 MiB/s that is ~13 ms of data, enough to ride out a
  // busy loop pass without the kernel dropping. As root SO_*BUFFORCE gets it
  // regardless of net.core.rmem_max; otherwise the kernel caps it silently.
  int receive_buffer_bytes = 8 << 20;
  int send_buffer_bytes = 8 << 20;
  // Bytes per receive slot. A longer datagram is reported with truncated=true.
  // 2048 B: above the 1200 B protocol default with room for a larger config.
  size_t max_datagram_bytes = 2048;
  // Datagrams per recvmmsg/sendmmsg syscall (a syscall costs ~1 us here).
  size_t batch_size = 64;
  // Binding [::] also accepts IPv4 peers (IPV6_V6ONLY=0); they appear as
  // plain IPv4 Addresses.
  bool dual_stack = true;
  // UDP_GRO: the kernel may hand over several same-size datagrams from one
  // peer in one slot; ReceiveBatch splits them again. Slots become 64 KiB.
  bool gro = false;
};

struct ReceivedDatagram {
  Address from;
  // Points into the endpoint's receive buffer: valid until the next
  // ReceiveBatch call on the same endpoint (or its destruction).
  std::span<const uint8_t> data;
  bool truncated = false;  // longer than max_datagram_bytes; data is its start
};

struct OutgoingDatagram {
  Address to;
  std::span<const uint8_t> data;
  // Non-zero: `data` is several datagrams of this many bytes back to back
  // (the last may be shorter), sent with UDP GSO as one message — one trip
  // through the stack for up to kMaxSegments datagrams.
  uint16_t segment_size = 0;
};

class UdpEndpoint {
 public:
  // Port 0 binds an ephemeral port; local_address() tells which.
  static Result<UdpEndpoint> Bind(const Address& local, const EndpointOptions& options = {});

  UdpEndpoint(UdpEndpoint&&) noexcept = default;
  UdpEndpoint& operator=(UdpEndpoint&&) noexcept = default;

  int fd() const { return fd_.get(); }
  const Address& local_address() const { return local_; }
  bool dual_stack() const { return dual_stack_; }
  bool gro_enabled() const { return gro_; }
  // What the kernel granted, as getsockopt reports it (Linux doubles the
  // request to account for its bookkeeping).
  int receive_buffer_bytes() const { return rcvbuf_; }
  int send_buffer_bytes() const { return sndbuf_; }

  // Receives up to `max` datagrams (at most batch_size per call) without
  // blocking. Clears `out` and fills it; returns out.size(), 0 when nothing
  // is waiting. With GRO one slot may yield several datagrams, so the count
  // can exceed `max`. Does not allocate once `out` has grown to its peak.
  Result<size_t> ReceiveBatch(std::vector<ReceivedDatagram>& out, size_t max);

  // Sends in order with sendmmsg; returns how many messages (entries of
  // `batch`, each one datagram or one GSO run) went out. A full socket
  // buffer stops early (partial count, not an error). A hard error on the
  // first unsent datagram is returned as the error only when nothing was sent
  // in this call; otherwise the count is returned and the next call reports it.
  Result<size_t> SendBatch(std::span<const OutgoingDatagram> batch);

  // One datagram; returns 1 if sent, 0 if the socket buffer is full.
  Result<size_t> SendTo(const Address& to, std::span<const uint8_t> data);

  // UDP GSO: one syscall carrying `buffer` cut into datagrams of
  // `segment_size` bytes (the last may be shorter), at most 64 segments and
  // 65507 bytes. Returns the number of datagrams sent (0 if the buffer is
  // full). Kernel-side support is needed (Linux >= 4.18).
  Result<size_t> SendSegmented(const Address& to, std::span<const uint8_t> buffer,
                               size_t segment_size);

  // 64 segments, 65507 B: the kernel's UDP_MAX_SEGMENTS and largest IPv4 UDP payload.
  static constexpr size_t kMaxSegments = 64;
  static constexpr size_t kMaxSegmentedBytes = 65507;

 private:
  UdpEndpoint() = default;
  Status Configure(const EndpointOptions& options, bool wildcard);
  void PrepareReceive(size_t count);
  void AppendReceived(size_t slot, std::vector<ReceivedDatagram>& out) const;
  // Fills `*out` with `to` in the form this socket's family wants.
  socklen_t DestinationFor(const Address& to, sockaddr_storage* out) const;

  UniqueFd fd_;
  Address local_;
  int family_ = AF_UNSPEC;
  bool dual_stack_ = false;
  bool gro_ = false;
  int rcvbuf_ = 0;
  int sndbuf_ = 0;
  size_t slot_bytes_ = 0;
  size_t batch_ = 0;

  // Reused across calls so the hot path never allocates.
  struct alignas(alignof(size_t)) ControlSlot {
    uint8_t bytes[64];  // room for one UDP_GRO (int) or UDP_SEGMENT (u16) cmsg with its header
  };
  // Not value-initialised: pages the kernel never fills stay out of RSS
  // (64 slots of 64 KiB with GRO would otherwise cost 4 MiB at idle).
  std::unique_ptr<uint8_t[]> rx_buffer_;
  std::vector<mmsghdr> rx_msgs_;
  std::vector<iovec> rx_iov_;
  std::vector<sockaddr_storage> rx_addrs_;
  std::vector<ControlSlot> rx_control_;
  std::vector<mmsghdr> tx_msgs_;
  std::vector<iovec> tx_iov_;
  std::vector<sockaddr_storage> tx_addrs_;
  std::vector<ControlSlot> tx_control_;
};

}  // namespace nxt::net
