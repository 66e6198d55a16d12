// A multi-platform release on nxtctl's command line:
//   nxtctl push --release libfunctional:8.6 a.so@linux-amd64-gnu b.so@linux-arm64-gnu
// Each FILE[@PLATFORM] is one part (platform read from the ELF header when not
// given; a bundle from `nxtctl sign` keeps its own signed manifest). The parts
// travel back to back in one memfd passed with the Push request, so the
// server gets every byte through the one descriptor the control protocol
// carries and never reads the operator's paths.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "ctl/release.h"
#include "nxt/control.pb.h"

namespace nxt::ctl {

struct PlatformFile {
  std::string path;
  std::string platform;  // empty: read it from the ELF header
};

// "a.so@linux-arm64-gnu" -> {a.so, linux-arm64-gnu}; "a.so" -> {a.so, ""}.
Result<PlatformFile> ParsePlatformFile(const std::string& arg);

// "libfunctional:8.6" -> name "libfunctional", version "8.6" (version optional).
struct ReleaseName {
  std::string name;
  std::string version;
};
Result<ReleaseName> ParseReleaseName(const std::string& arg);

// True when the command line asks for the multi-platform form: --release, an
// @PLATFORM, or more than one file.
bool IsPlatformRelease(const std::vector<std::string>& files, const std::string& release);

// Fills push->parts/release_name/product/version and returns the memfd
// holding the parts. Fails, naming the file, before anything is sent.
Result<UniqueFd> BuildReleaseParts(const std::vector<std::string>& files, const std::string& release,
                                   const ReleaseArgs& args, control::Push* push);

}  // namespace nxt::ctl
