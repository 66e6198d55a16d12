// `nxtctl push pkg.deb`: a Debian package travels like a plug-in (signed,
// verified, staged, resumable) but is marked kind "deb" with the platform of
// its Architecture, so hosts install it with dpkg instead of loading it.
#pragma once

#include <string>

#include "base/result.h"
#include "nxt/control.pb.h"

namespace nxt::ctl {

// false: not a .deb (nothing set). A file that starts like one but that
// dpkg-deb cannot read is refused here, before anything is sent.
Result<bool> DescribeDebPush(int fd, const std::string& path, control::Push* push);

}  // namespace nxt::ctl
