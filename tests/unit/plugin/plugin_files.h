// Test helpers: where the in-tree plug-ins are, and a temp dir that cleans up.
#pragma once

#include <filesystem>
#include <string>

namespace nxt::plugin::testing {

// ${NXT_PLUGIN_BUILD_DIR}/<name>, e.g. BuiltPlugin("libfunctional_2_0.so").
std::string BuiltPlugin(const std::string& name);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  // Writes `bytes` to a file in the dir and returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const;
  // Copies a built plug-in into the dir under `name` and returns the new path.
  std::string Copy(const std::string& plugin, const std::string& name) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace nxt::plugin::testing
