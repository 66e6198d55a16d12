// Internal to nxt_plugin: guards against glibc's dlopen cache. dlopen(path)
// returns an object it already loaded whenever the path string matches one it
// loaded before — even if the file at that path has been replaced since
// (renamed over, or a symlink such as `current` swapped). A hot reload would
// then silently keep running the old code.
#pragma once

#include <string>

#include "base/result.h"

namespace nxt::plugin::detail {

// Ok if dlopen(path) would map the file now at `path`, or share an object
// loaded from that very file. Errc::kPlugin (no path in the message) if it
// would hand back an object loaded from a different, older file.
Status CheckNotStale(const std::string& path);

}  // namespace nxt::plugin::detail
