#include "client/rollback_floor.h"

#include <sstream>

#include "sys/atomic_file.h"

namespace nxt::client {

Result<RollbackFloor> RollbackFloor::Load(const std::string& state_dir, Version running) {
  RollbackFloor f;
  f.path_ = state_dir + "/rollback_floor";
  f.floor_ = running;
  auto text = sys::ReadFile(f.path_, 256);
  if (text.ok()) {
    std::istringstream in(*text);
    Version stored;
    if (in >> stored.major >> stored.minor && stored > f.floor_) f.floor_ = stored;
  } else if (text.error().code() != Errc::kNotFound) {
    return text.error();
  }
  return f;
}

Status RollbackFloor::Check(Version v, bool downgrade) const {
  if (v >= floor_ || downgrade) return Ok();
  return Error(Errc::kPermission, "release " + v.ToString() + " is older than " + floor_.ToString() +
                                      ", which this host has run (anti-rollback; sign it as a downgrade to allow it)");
}

Status RollbackFloor::Record(Version v) {
  floor_ = v;
  return sys::WriteFileAtomic(path_, std::to_string(v.major) + " " + std::to_string(v.minor) + "\n", 0644);
}

}  // namespace nxt::client
