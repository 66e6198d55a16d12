#include "net/send_queue.h"

namespace nxt::net {

SendQueue::SendQueue(size_t capacity, size_t max_datagram, bool gso)
    : capacity_(capacity), max_datagram_(max_datagram), gso_(gso), buf_(capacity * max_datagram) {
  messages_.reserve(capacity);
}

void SendQueue::Commit(const Address& to, size_t len) {
  const uint8_t* start = buf_.data() + used_;
  used_ += len;
  ++datagrams_;
  if (gso_ && !run_closed_) {
    OutgoingDatagram& run = messages_.back();
    size_t seg = run.segment_size != 0 ? run.segment_size : run.data.size();
    size_t segments = (run.data.size() + seg - 1) / seg;
    if (run.to == to && len <= seg && run.data.size() % seg == 0 && segments < UdpEndpoint::kMaxSegments &&
        run.data.size() + len <= UdpEndpoint::kMaxSegmentedBytes) {
      run.data = {run.data.data(), run.data.size() + len};
      run.segment_size = static_cast<uint16_t>(seg);
      segmented_ = true;
      run_closed_ = len < seg;  // a short datagram can only end a run
      return;
    }
  }
  messages_.push_back(OutgoingDatagram{to, {start, len}, 0});
  run_closed_ = len > 0xffff;
}

bool SendQueue::Flush(UdpEndpoint& udp) {
  if (messages_.empty()) return true;
  auto sent = udp.SendBatch(messages_);
  bool all = sent.ok() && *sent == messages_.size();
  // A hard error with segmented messages in flight may be the device refusing
  // GSO (EIO without checksum offload): fall back to one datagram per message
  // for good; a genuine error (unreachable, ...) then shows on the plain path.
  if (!sent.ok() && gso_ && segmented_) gso_ = false;
  messages_.clear();
  used_ = 0;
  datagrams_ = 0;
  run_closed_ = true;
  segmented_ = false;
  return all;
}

}  // namespace nxt::net
