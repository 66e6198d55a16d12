// SendQueue: outgoing datagrams packed back to back in one reused buffer and
// grouped into UDP GSO runs (see udp_endpoint.h for what nxt_net owns).
//
// A run is consecutive datagrams to one address, all the same length except
// possibly the last, at most UdpEndpoint::kMaxSegments of them and
// kMaxSegmentedBytes in all: the kernel segments it, so a run of 50
// datagrams costs one trip through the socket layer instead of 50. Chunk
// datagrams of one transfer are equal-sized except a block's last chunk, so
// runs are long in practice. With GSO off every datagram is its own message
// (plain sendmmsg batching).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "net/address.h"
#include "net/udp_endpoint.h"

namespace nxt::net {

class SendQueue {
 public:
  // Room for `capacity` datagrams of up to `max_datagram` bytes each.
  SendQueue(size_t capacity, size_t max_datagram, bool gso);

  // Where the next datagram (up to max_datagram bytes) is written; valid
  // until Commit or Flush. Precondition: !full().
  uint8_t* Slot() { return buf_.data() + used_; }
  // Appends the `len` bytes just written at Slot(), addressed to `to`.
  void Commit(const Address& to, size_t len);

  bool empty() const { return datagrams_ == 0; }
  bool full() const { return datagrams_ == capacity_; }
  size_t datagrams() const { return datagrams_; }
  // Messages a Flush would hand to sendmmsg (runs, or datagrams without GSO).
  size_t messages() const { return messages_.size(); }
  bool gso() const { return gso_; }

  // Sends everything queued and empties the queue. Returns true when all of
  // it went out; false when the socket buffer filled (the rest is dropped:
  // the transport treats it as loss) or on a hard error. A kernel refusing
  // GSO (a hard error while segmented messages are queued) turns GSO off.
  bool Flush(UdpEndpoint& udp);

 private:
  size_t capacity_, max_datagram_;
  bool gso_;
  std::vector<uint8_t> buf_;
  size_t used_ = 0, datagrams_ = 0;
  std::vector<OutgoingDatagram> messages_;
  bool run_closed_ = true;  // the last message cannot take another segment
  bool segmented_ = false;  // some message holds more than one datagram
};

}  // namespace nxt::net
