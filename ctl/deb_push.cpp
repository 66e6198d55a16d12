#include "ctl/deb_push.h"

#include <unistd.h>

#include "package/deb.h"

namespace nxt::ctl {

Result<bool> DescribeDebPush(int fd, const std::string& path, control::Push* push) {
  char head[21] = {};  // "!<arch>\ndebian-binary"
  const ssize_t n = ::pread(fd, head, sizeof head, 0);
  if (n < 0) return ErrnoError("cannot read " + path);
  if (!package::LooksLikeDeb(std::string(head, static_cast<size_t>(n)))) return false;
  auto info = package::ReadDeb(path);
  if (!info.ok()) return std::move(info).error().WithContext("cannot push " + path);
  push->set_kind(std::string(package::kKindDeb));
  push->set_platform(package::PlatformOfDeb(*info));
  return true;
}

}  // namespace nxt::ctl
