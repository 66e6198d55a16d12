// A Debian package file: what dpkg-deb says it is, and whether this host can
// install it. dpkg-deb does the parsing, so a malformed archive is refused
// with dpkg-deb's own words.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace nxt::package {

// The manifest kind of a Debian package release (plug-ins are "plugin").
inline constexpr std::string_view kKindDeb = "deb";

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

// The nxt platform a package installs on: "linux-amd64-gnu"; "" for "all".
std::string PlatformOfDeb(const DebInfo& deb);

// True when the first bytes are a Debian package's ("!<arch>\ndebian-binary").
bool LooksLikeDeb(const std::string& first_bytes);

}  // namespace nxt::package
