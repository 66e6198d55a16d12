#include "client/plugin_host.h"

#include <unistd.h>

#include <filesystem>

#include "base/crash_point.h"
#include "crypto/digest.h"
#include "crypto/sha256.h"
#include "plugin/elf.h"
#include "sys/atomic_file.h"

namespace nxt::client {
namespace {
constexpr sys::MessageId kMsgVersion("7c1e5a3b9d2f4e60a8b7c6d5e4f3a201");
constexpr sys::MessageId kMsgLoadFailed("7c1e5a3b9d2f4e60a8b7c6d5e4f3a202");

// "<dir>/store/<sha>.so" -> "<sha>"
std::string ShaFromStorePath(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  return stem.size() == 64 ? stem : "";
}
}  // namespace

PluginHost::PluginHost(std::string state_dir, std::string default_path, plugin::LoadOptions options,
                       sys::Logger& log, const Clock& clock)
    : state_dir_(std::move(state_dir)), default_path_(std::move(default_path)), options_(options), log_(log),
      clock_(clock) {}

bool PluginHost::TryLoad(const std::string& link_or_path, const std::string& source) {
  std::string path = link_or_path;
  if (source != "default") {
    auto target = sys::ReadSymlink(link_or_path);
    if (!target.ok()) return false;  // no such link: nothing to try
    path = *target;
  }
  auto p = plugin::Load(path, options_);
  if (!p.ok()) {
    log_.Warning(kMsgLoadFailed, "cannot load " + source + " plug-in: " + p.error().message(),
                 {{"NXT_PLUGIN_PATH", path}, {"NXT_SOURCE", source}});
    return false;
  }
  plugin_.emplace(std::move(p).value());
  path_ = path;
  source_ = source;
  sha_hex_ = ShaFromStorePath(path);
  if (sha_hex_.empty()) {
    auto sha = crypto::Sha256OfFile(path);
    if (sha.ok()) sha_hex_ = crypto::ToHex(*sha);
  }
  loaded_at_ms_ = clock_.UnixMs();
  return true;
}

void PluginHost::Start() {
  if (auto text = sys::ReadFile(state_dir_ + "/previous.info", 4096); text.ok()) previous_.ParseFromString(*text);
  if (TryLoad(state_dir_ + "/current", "current") || TryLoad(state_dir_ + "/previous", "previous") ||
      TryLoad(default_path_, "default")) {
    log_.Info("serving the " + source_ + " plug-in " + path_, {{"NXT_SOURCE", source_}});
    Announce();
    return;
  }
  log_.Error("no plug-in could be loaded (current, previous and the default " + default_path_ +
             " all failed); waiting for a push");
}

void PluginHost::Announce() {
  const plugin::PluginVersion& v = plugin_->version();
  log_.Info(kMsgVersion, plugin::FormatVersionLine(v),
            {{"NXT_PRODUCT", v.product}, {"NXT_MAJOR", std::to_string(v.major)},
             {"NXT_MINOR", std::to_string(v.minor)}, {"NXT_ARTIFACT_SHA256", sha_hex_},
             {"NXT_PLUGIN_PATH", path_}, {"NXT_SOURCE", source_}});
}

Result<plugin::PluginVersion> PluginHost::Activate(const std::string& path, const std::string& sha_hex,
                                                   const wire::ArtifactInfo* expected) {
  NXT_CRASH_POINT("client.loading");
  // The platform the publisher signed, against this host and the ELF header itself.
  if (expected) NXT_TRY(plugin::CheckSignedPlatform(path, expected->platform()));
  auto loaded = plugin::Load(path, options_);
  if (!loaded.ok()) return loaded.error();
  const plugin::PluginVersion& v = loaded->version();
  if (expected && !expected->product().empty() &&
      (v.major != expected->major() || v.minor != expected->minor() || v.product != expected->product()))
    return Error(Errc::kPlugin, "the plug-in reports " + v.product + " " + std::to_string(v.major) + "." +
                                    std::to_string(v.minor) + " but the release is signed as " + expected->product() +
                                    " " + std::to_string(expected->major()) + "." + std::to_string(expected->minor()));
  std::string current = state_dir_ + "/current", previous = state_dir_ + "/previous";
  // What runs now becomes `previous`, even the shipped default (no `current` yet):
  // a rollback can always go back one step without a transfer.
  auto old_target = sys::ReadSymlink(current);
  std::string old = old_target.ok() ? *old_target : plugin_ ? path_ : "";
  if (!old.empty() && old != path) {
    NXT_TRY(sys::ReplaceSymlinkAtomic(old, previous));
    RememberPrevious(Running());
  }
  NXT_CRASH_POINT("client.previous_swapped");
  NXT_TRY(sys::ReplaceSymlinkAtomic(path, current));
  NXT_CRASH_POINT("client.current_swapped");
  // The new handle is good and `current` points at it: now drop the old one.
  Took(std::move(loaded).value(), path, sha_hex);
  return plugin_->version();
}

Result<plugin::PluginVersion> PluginHost::Rollback() {
  std::string current = state_dir_ + "/current", previous = state_dir_ + "/previous";
  auto back = sys::ReadSymlink(previous);
  if (!back.ok()) return Error(Errc::kNotFound, "no previous version to roll back to");
  auto loaded = plugin::Load(*back, options_);
  if (!loaded.ok()) return std::move(loaded).error().WithContext("previous version " + *back);
  auto old_target = sys::ReadSymlink(current);
  wire::ArtifactInfo old_running = Running();
  NXT_TRY(sys::ReplaceSymlinkAtomic(*back, current));
  if (old_target.ok() && *old_target != *back) {
    NXT_TRY(sys::ReplaceSymlinkAtomic(*old_target, previous));
    RememberPrevious(old_running);
  } else {
    ::unlink(previous.c_str());
    RememberPrevious({});
  }
  Took(std::move(loaded).value(), *back, ShaFromStorePath(*back));
  return plugin_->version();
}

void PluginHost::Took(plugin::LoadedPlugin p, const std::string& path, const std::string& sha_hex) {
  plugin_.reset();
  plugin_.emplace(std::move(p));
  path_ = path;
  source_ = "current";
  sha_hex_ = sha_hex;
  if (sha_hex_.empty())  // the shipped default, outside the store
    if (auto sha = crypto::Sha256OfFile(path); sha.ok()) sha_hex_ = crypto::ToHex(*sha);
  loaded_at_ms_ = clock_.UnixMs();
  Announce();
}

void PluginHost::RememberPrevious(const wire::ArtifactInfo& info) {
  previous_ = info;
  Status st = sys::WriteFileAtomic(state_dir_ + "/previous.info", std::string_view(info.SerializeAsString()), 0644);
  if (!st.ok()) log_.Warning("cannot record the previous version: " + st.error().message());
}

wire::ArtifactInfo PluginHost::Previous() const {
  if (!sys::ReadSymlink(state_dir_ + "/previous").ok()) return {};
  return previous_;
}

wire::ArtifactInfo PluginHost::Running() const {
  wire::ArtifactInfo info;
  if (!plugin_) return info;
  info.set_name("libfunctional");
  info.set_major(plugin_->version().major);
  info.set_minor(plugin_->version().minor);
  info.set_product(plugin_->version().product);
  if (auto sha = crypto::FromHex(sha_hex_); sha.ok()) info.set_sha256(crypto::DigestToBytes(*sha));
  info.set_platform(plugin::HostPlatform());
  return info;
}

}  // namespace nxt::client
