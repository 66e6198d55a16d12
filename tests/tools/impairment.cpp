#include "impairment.h"

#include <algorithm>
#include <cmath>

namespace nxt::impair {

Impairment::Impairment(const ImpairmentSpec& spec, uint64_t seed) : spec_(spec), rng_(seed) {}

double Impairment::Uniform() {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;  // 53 random bits, portable
}

Decision Impairment::Decide(size_t size) {
  // Seven draws every time, in a fixed order (see header).
  double loss = Uniform(), dup = Uniform(), reorder = Uniform(), corrupt = Uniform();
  double where = Uniform(), bit = Uniform(), jitter = Uniform();
  Decision d;
  d.drop = loss < spec_.loss;
  d.duplicate = dup < spec_.dup;
  d.reorder = reorder < spec_.reorder;
  d.corrupt = size > 0 && corrupt < spec_.corrupt;
  if (d.corrupt) {
    d.corrupt_byte = std::min(size - 1, static_cast<size_t>(where * static_cast<double>(size)));
    d.corrupt_mask = static_cast<uint8_t>(1u << std::min(7, static_cast<int>(bit * 8)));
  }
  if (spec_.jitter_us > 0) {
    double span = 2.0 * static_cast<double>(spec_.jitter_us) + 1;
    d.jitter_us = static_cast<int64_t>(std::floor(jitter * span)) - static_cast<int64_t>(spec_.jitter_us);
  }
  return d;
}

TimeUs ImpairedLink::Schedule(TimeUs now, size_t size, int64_t jitter_us) {
  const ImpairmentSpec& spec = impairment_.spec();
  TimeUs departs = now;
  if (spec.rate_mbit > 0) {
    // size * 8 bits / (rate_mbit * 1e6 bit/s) = size * 8 / rate_mbit microseconds.
    auto serialise = static_cast<TimeUs>(std::ceil(static_cast<double>(size) * 8.0 / spec.rate_mbit));
    link_free_at_ = std::max(now, link_free_at_) + serialise;
    departs = link_free_at_;
  }
  int64_t delay = static_cast<int64_t>(spec.delay_us) + jitter_us;
  TimeUs due = departs + static_cast<TimeUs>(std::max<int64_t>(delay, 0));
  last_due_ = std::max(last_due_, due);
  return last_due_;
}

void ImpairedLink::ReleaseHeld(TimeUs due, bool overtaken) {
  if (!held_) return;
  if (overtaken) ++stats_.reordered;
  queue_.emplace(due, std::move(*held_));  // after any packet already due at `due`
  held_.reset();
}

bool ImpairedLink::InBurst() {
  const ImpairmentSpec& spec = impairment_.spec();
  if (spec.burst <= 0) return false;
  auto uniform = [this] { return static_cast<double>(burst_rng_() >> 11) * 0x1.0p-53; };
  if (!in_burst_ && uniform() >= spec.burst) return false;
  // This datagram is lost in the burst, which goes on with probability
  // 1 - 1/burst_len: burst_len datagrams on average.
  in_burst_ = uniform() >= 1.0 / std::max(1.0, spec.burst_len);
  return true;
}

void ImpairedLink::Submit(TimeUs now, Packet packet) {
  ++stats_.received;
  if (blackout_) {
    ++stats_.blackout_dropped;
    return;
  }
  if (InBurst()) {
    ++stats_.burst_dropped;
    return;
  }
  Decision d = impairment_.Decide(packet.bytes.size());
  if (d.drop) {
    ++stats_.dropped;
    return;
  }
  if (pending() >= impairment_.spec().queue_limit) {
    ++stats_.queue_dropped;
    return;
  }
  if (d.corrupt) {
    packet.bytes[d.corrupt_byte] ^= d.corrupt_mask;
    ++stats_.corrupted;
  }
  TimeUs due = Schedule(now, packet.bytes.size(), d.jitter_us);
  if (d.reorder && !held_) {
    held_ = std::move(packet);
    held_until_ = due + impairment_.spec().reorder_hold_us;
    if (d.duplicate) {  // the copy goes on time; the original is the one held back
      ++stats_.duplicated;
      queue_.emplace(due, *held_);
    }
    return;
  }
  if (d.duplicate) {
    ++stats_.duplicated;
    queue_.emplace(due, packet);
  }
  queue_.emplace(due, std::move(packet));
  ReleaseHeld(due, /*overtaken=*/true);
}

void ImpairedLink::TakeDue(TimeUs now, std::vector<Packet>& out) {
  if (held_ && held_until_ <= now) ReleaseHeld(held_until_, /*overtaken=*/false);
  while (!queue_.empty() && queue_.begin()->first <= now) {
    out.push_back(std::move(queue_.begin()->second));
    queue_.erase(queue_.begin());
    ++stats_.forwarded;
  }
}

TimeUs ImpairedLink::NextDueUs() const {
  TimeUs next = queue_.empty() ? kNever : queue_.begin()->first;
  if (held_) next = std::min(next, held_until_);
  return next;
}

}  // namespace nxt::impair
