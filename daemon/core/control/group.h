// The control socket's group, when it exists. Run by hand on a host where
// the nxt package (which creates the group) is not installed, the daemons
// keep the socket owner-only instead of refusing to start.
#pragma once

#include <string>

#include "sys/log.h"

namespace nxt::control {

std::string ControlGroupOrNone(const std::string& group, sys::Logger& log);

}  // namespace nxt::control
