// What a release says it is, and the publisher-key commands. Shared by
// `nxtctl push` (a plain file: product and version for the server to sign)
// and `nxtctl sign` (a bundle signed here, off the server).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "nxt/wire.pb.h"

namespace nxt::ctl {

struct ReleaseArgs {
  std::string version;   // "8.6"; empty: ask the plug-in itself
  std::string product;   // empty: what the plug-in reports
  uint32_t expires_days = 0;
  bool downgrade = false;
};

// Product and version from the flags, else by loading the plug-in (a forked
// self-test first, as the client does) — which works for builds of this
// host's platform; others need --version and --product.
Result<wire::ArtifactInfo> DescribeRelease(const std::string& path, const ReleaseArgs& args);

}  // namespace nxt::ctl
