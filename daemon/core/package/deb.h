// A Debian package file: what dpkg-deb says it is, and whether this host can
// install it. dpkg-deb does the parsing, so a malformed archive is refused
// with dpkg-deb's own words.
#pragma once

#include <string>

#include "base/result.h"

namespace nxt::package {

struct DebInfo {
  std::string package;       // "hello"
  std::string version;       // "2.0-1"
  std::string architecture;  // "amd64", "arm64" or "all"
};

// Errc::kCorrupt: "not a well-formed Debian package: <dpkg-deb's reason>".
Result<DebInfo> ReadDeb(const std::string& path);

// "amd64" (dpkg --print-architecture), asked once per call.
Result<std::string> HostArchitecture();

// "package hello is for arm64, this host is amd64"; "all" fits every host.
Status CheckArchitecture(const DebInfo& deb, const std::string& host_arch);

// True when the first bytes are a Debian package's ("!<arch>\ndebian-binary").
bool LooksLikeDeb(const std::string& first_bytes);

}  // namespace nxt::package
