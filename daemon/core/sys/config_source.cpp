#include "sys/config_source.h"

namespace nxt::sys {

Result<ConfigValues> ConfigSource::Load(const ConfigSchema& schema) const {
  NXT_ASSIGN(ConfigValues v, LoadConfig(path, schema, path_explicit ? MissingFile::kError : MissingFile::kUseDefaults));
  for (const auto& [key, text] : overrides) {
    Status st = v.Set(key, text);
    if (!st.ok()) return std::move(st).error().WithContext("command line");
  }
  return v;
}

}  // namespace nxt::sys
