// A set of uint64 values stored as disjoint, sorted, half-open intervals
// [begin, end). Used for chunk indexes held on disk, ranges to resend, etc.
// Memory is O(number of gaps), not O(values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace nxt {

struct Interval {
  uint64_t begin;  // inclusive
  uint64_t end;    // exclusive
  uint64_t size() const { return end - begin; }
  bool operator==(const Interval&) const = default;
};

class RangeSet {
 public:
  // Adds [begin, end); returns how many values were new.
  uint64_t Add(uint64_t begin, uint64_t end);
  uint64_t Add(uint64_t value) { return Add(value, value + 1); }
  // Removes [begin, end); returns how many values were present.
  uint64_t Remove(uint64_t begin, uint64_t end);
  bool Contains(uint64_t value) const;
  // True when every value of [begin, end) is present.
  bool ContainsAll(uint64_t begin, uint64_t end) const;
  void Clear() { map_.clear(); count_ = 0; }

  uint64_t count() const { return count_; }           // values held
  std::size_t intervals() const { return map_.size(); }
  bool empty() const { return count_ == 0; }
  uint64_t Front() const { return map_.begin()->first; }  // smallest value; precondition: !empty()

  std::vector<Interval> ToVector() const;
  // The values of [begin, end) that are NOT in the set, at most `limit` intervals.
  std::vector<Interval> Missing(uint64_t begin, uint64_t end, std::size_t limit = SIZE_MAX) const;
  // Smallest value >= from that is not in the set.
  uint64_t FirstMissingFrom(uint64_t from) const;

  bool operator==(const RangeSet& other) const { return map_ == other.map_; }

 private:
  std::map<uint64_t, uint64_t> map_;  // begin -> end
  uint64_t count_ = 0;
};

}  // namespace nxt
