// PluginHost: the plug-in this host is running, and the only code that
// changes it. On start it loads `current`, else `previous`, else the shipped
// default, and says which. Activate() loads the new file first (forked
// self-test, then dlopen by its unique store path) and only when that worked
// swaps the symlinks (previous <- old current, current <- new) and drops the
// old handle; on any failure the old plug-in keeps serving and `current` is
// untouched. Loading before swapping (rather than swap-then-restore) means a
// crash mid-activation can never leave `current` pointing at a bad build.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "nxt/wire.pb.h"
#include "plugin/plugin.h"
#include "sys/log.h"

namespace nxt::client {

class PluginHost {
 public:
  PluginHost(std::string state_dir, std::string default_path, plugin::LoadOptions options, sys::Logger& log,
             const Clock& clock);

  void Start();
  // Loads `path` (store/<sha>.so) and makes it current. Returns its version.
  // `expected`: the version the signed manifest declares; a plug-in that
  // reports another one is refused.
  Result<plugin::PluginVersion> Activate(const std::string& path, const std::string& sha_hex,
                                         const wire::ArtifactInfo* expected = nullptr);
  // Swaps back to `previous` (no transfer: it is still in the store): loads
  // it first, then swaps the links, so a failure leaves everything as it was.
  Result<plugin::PluginVersion> Rollback();
  // What `previous` holds (empty when there is none), kept in previous.info.
  wire::ArtifactInfo Previous() const;

  void set_options(plugin::LoadOptions options) { options_ = options; }
  bool loaded() const { return plugin_.has_value(); }
  wire::ArtifactInfo Running() const;
  const std::string& path() const { return path_; }
  const std::string& source() const { return source_; }   // current | previous | default | none
  uint64_t loaded_at_unix_ms() const { return loaded_at_ms_; }

 private:
  bool TryLoad(const std::string& link_or_path, const std::string& source);
  void Announce();
  void Took(plugin::LoadedPlugin p, const std::string& path, const std::string& sha_hex);
  void RememberPrevious(const wire::ArtifactInfo& info);

  std::string state_dir_, default_path_;
  plugin::LoadOptions options_;
  sys::Logger& log_;
  const Clock& clock_;
  std::optional<plugin::LoadedPlugin> plugin_;
  std::string path_, source_ = "none", sha_hex_;
  uint64_t loaded_at_ms_ = 0;
  wire::ArtifactInfo previous_;
};

}  // namespace nxt::client
