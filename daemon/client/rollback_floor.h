// Anti-rollback: the highest plug-in version this host has run. A release
// below it is refused unless its signed manifest says `downgrade`. Kept in
// state_dir/rollback_floor (written atomically) so it survives restarts.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace nxt::client {

struct Version {
  uint32_t major = 0, minor = 0;
  auto operator<=>(const Version&) const = default;
  std::string ToString() const { return std::to_string(major) + "." + std::to_string(minor); }
};

class RollbackFloor {
 public:
  RollbackFloor() = default;
  // Reads the floor, raised to `running` (what is loaded at start).
  static Result<RollbackFloor> Load(const std::string& state_dir, Version running);

  Version floor() const { return floor_; }
  // An error naming both versions when `v` would be a rollback.
  Status Check(Version v, bool downgrade) const;
  // After `v` runs: remember it as the floor (or as the new, lower floor
  // after an explicit downgrade).
  Status Record(Version v);

 private:
  std::string path_;
  Version floor_;
};

}  // namespace nxt::client
