#include "control/group.h"

#include "control/peer.h"

namespace nxt::control {

std::string ControlGroupOrNone(const std::string& group, sys::Logger& log) {
  if (group.empty()) return group;
  if (LookupGroup(group).ok()) return group;
  log.Notice("group '" + group + "' does not exist; the control socket is for root and this user only");
  return "";
}

}  // namespace nxt::control
