#include "crypto/replay_window.h"

namespace nxt::crypto {

bool ReplayWindow::Check(uint64_t seq) const {
  if (seq == 0) return false;
  if (seq > highest_) return true;
  if (highest_ - seq >= kSize) return false;
  return !Seen(seq);
}

void ReplayWindow::Accept(uint64_t seq) {
  if (!Check(seq)) return;
  if (seq > highest_) Advance(seq);
  Mark(seq);
}

// Clears the bits of the numbers the window slides over (highest_, seq], which
// still hold marks from kSize numbers earlier. Word-wise where possible, so a
// jump costs at most kWords stores plus two partial words.
void ReplayWindow::Advance(uint64_t seq) {
  if (seq - highest_ >= kSize) {
    bits_.fill(0);
  } else {
    // Counted, not `s <= seq`: seq may be UINT64_MAX, where s would wrap.
    uint64_t s = highest_ + 1;
    for (uint64_t left = seq - highest_; left > 0;) {
      if (s % 64 == 0 && left >= 64) {
        bits_[(s / 64) % kWords] = 0;
        s += 64;
        left -= 64;
      } else {
        bits_[(s / 64) % kWords] &= ~(uint64_t{1} << (s % 64));
        ++s;
        --left;
      }
    }
  }
  highest_ = seq;
}

}  // namespace nxt::crypto
