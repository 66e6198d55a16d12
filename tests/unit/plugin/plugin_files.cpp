#include "plugin_files.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace nxt::plugin::testing {

std::string BuiltPlugin(const std::string& name) { return std::string(NXT_PLUGIN_BUILD_DIR) + "/" + name; }

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "nxt-plugin-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string TempDir::Write(const std::string& name, const std::string& bytes) const {
  std::ofstream out(Path(name), std::ios::binary);
  out << bytes;
  return Path(name);
}

std::string TempDir::Copy(const std::string& plugin, const std::string& name) const {
  std::filesystem::copy_file(BuiltPlugin(plugin), Path(name));
  return Path(name);
}

}  // namespace nxt::plugin::testing
