#include "base/range_set.h"

#include <algorithm>

namespace nxt {

uint64_t RangeSet::Add(uint64_t begin, uint64_t end) {
  if (begin >= end) return 0;
  // Simplest correct merge: drop what overlaps, then insert one interval.
  uint64_t removed = Remove(begin, end);
  count_ += end - begin;
  uint64_t added = (end - begin) - removed;
  // Merge with a neighbour that ends exactly at begin or starts exactly at end.
  auto next = map_.lower_bound(begin);
  if (next != map_.begin()) {
    auto prev = std::prev(next);
    if (prev->second == begin) {
      begin = prev->first;
      map_.erase(prev);
    }
  }
  next = map_.lower_bound(end);
  if (next != map_.end() && next->first == end) {
    end = next->second;
    map_.erase(next);
  }
  map_[begin] = end;
  return added;
}

uint64_t RangeSet::Remove(uint64_t begin, uint64_t end) {
  if (begin >= end || map_.empty()) return 0;
  uint64_t removed = 0;
  auto it = map_.upper_bound(begin);
  if (it != map_.begin()) --it;
  while (it != map_.end() && it->first < end) {
    uint64_t b = it->first, e = it->second;
    if (e <= begin) { ++it; continue; }
    uint64_t cut_b = std::max(b, begin), cut_e = std::min(e, end);
    removed += cut_e - cut_b;
    it = map_.erase(it);
    if (b < cut_b) map_[b] = cut_b;
    if (cut_e < e) { map_[cut_e] = e; break; }
  }
  count_ -= removed;
  return removed;
}

bool RangeSet::Contains(uint64_t value) const {
  auto it = map_.upper_bound(value);
  if (it == map_.begin()) return false;
  --it;
  return value < it->second;
}

bool RangeSet::ContainsAll(uint64_t begin, uint64_t end) const {
  if (begin >= end) return true;
  auto it = map_.upper_bound(begin);
  if (it == map_.begin()) return false;
  --it;
  return it->first <= begin && end <= it->second;
}

std::vector<Interval> RangeSet::ToVector() const {
  std::vector<Interval> out;
  out.reserve(map_.size());
  for (const auto& [b, e] : map_) out.push_back({b, e});
  return out;
}

std::vector<Interval> RangeSet::Missing(uint64_t begin, uint64_t end, size_t limit) const {
  std::vector<Interval> out;
  uint64_t cursor = begin;
  auto it = map_.upper_bound(begin);
  if (it != map_.begin()) --it;
  for (; it != map_.end() && cursor < end && out.size() < limit; ++it) {
    if (it->second <= cursor) continue;
    if (it->first > cursor) out.push_back({cursor, std::min(it->first, end)});
    cursor = std::max(cursor, it->second);
  }
  if (cursor < end && out.size() < limit) out.push_back({cursor, end});
  return out;
}

uint64_t RangeSet::FirstMissingFrom(uint64_t from) const {
  auto it = map_.upper_bound(from);
  if (it == map_.begin()) return from;
  --it;
  return from < it->second ? it->second : from;
}

}  // namespace nxt
