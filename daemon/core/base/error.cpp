#include <cerrno>
#include <cstring>

#include "base/result.h"

namespace nxt {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kOk: return "ok";
    case Errc::kInvalidArgument: return "invalid-argument";
    case Errc::kNotFound: return "not-found";
    case Errc::kIo: return "io";
    case Errc::kCorrupt: return "corrupt";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kBusy: return "busy";
    case Errc::kTimeout: return "timeout";
    case Errc::kPermission: return "permission";
    case Errc::kNoSpace: return "no-space";
    case Errc::kPlugin: return "plugin";
    case Errc::kConfig: return "config";
    case Errc::kClosed: return "closed";
  }
  return "unknown";
}

Error ErrnoError(std::string_view what, int err) {
  Errc code = Errc::kIo;
  if (err == ENOSPC || err == EDQUOT) code = Errc::kNoSpace;
  if (err == ENOENT) code = Errc::kNotFound;
  if (err == EACCES || err == EPERM) code = Errc::kPermission;
  return Error(code, std::string(what) + ": " + std::strerror(err));
}

Error ErrnoError(std::string_view what) { return ErrnoError(what, errno); }

}  // namespace nxt
