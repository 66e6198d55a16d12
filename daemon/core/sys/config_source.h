// Where a daemon's configuration comes from: a TOML file plus command-line
// overrides. Kept so SIGHUP can re-read the same file and re-apply the same
// flags; a reload with a bad file fails as a whole and the caller keeps the
// configuration it has.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sys/config.h"

namespace nxt::sys {

struct ConfigSource {
  std::string path;
  bool path_explicit = false;  // --config given: a missing file is an error, not "use defaults"
  std::vector<std::pair<std::string, std::string>> overrides;  // key -> flag text, applied over the file

  Result<ConfigValues> Load(const ConfigSchema& schema) const;
};

}  // namespace nxt::sys
