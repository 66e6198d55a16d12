// nxt_crypto ReplayWindow: the anti-replay bitmap of RFC 4303 section 3.4.3 /
// WireGuard. It remembers the highest authenticated sequence number and which
// of the 1024 numbers at and below it were seen, so reordered datagrams are
// accepted once and replays or very old ones are dropped. Pure and
// allocation-free: no clock, no I/O. Sequence number 0 is never valid (it
// marks "nothing seen yet"), so senders start counting at 1.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace nxt::crypto {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 1024;  // sequence numbers remembered below the highest

  // True iff `seq` is non-zero, not seen before and not older than the window
  // (highest - seq < kSize). Cheap: call before spending time on decryption.
  bool Check(uint64_t seq) const;

  // Records `seq` as seen. Call only after the datagram authenticated (else a
  // forger could slide the window forward); a seq Check() would refuse is ignored.
  void Accept(uint64_t seq);

  // 0 until something is accepted.
  uint64_t Highest() const { return highest_; }

 private:
  static constexpr std::size_t kWords = kSize / 64;

  bool Seen(uint64_t seq) const { return (bits_[(seq / 64) % kWords] >> (seq % 64)) & 1; }
  void Mark(uint64_t seq) { bits_[(seq / 64) % kWords] |= uint64_t{1} << (seq % 64); }
  void Advance(uint64_t seq);

  uint64_t highest_ = 0;
  // Ring of kSize bits: slot seq % kSize marks the one number of the window
  // (highest_ - kSize, highest_] that maps there; Advance() clears slots it slides over.
  std::array<uint64_t, kWords> bits_{};
};

}  // namespace nxt::crypto
