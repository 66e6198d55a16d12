// Test helper for nxt_sqlite: a private temp dir holding a real database file
// (the module's job is files, so its tests use them), removed afterwards.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace nxt::sqlite::testing {

class TempDb {
 public:
  TempDb() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base ? base : "/tmp") + "/nxt-sqlite-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) dir_ = templ;
  }
  ~TempDb() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return dir_ + "/state.db"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace nxt::sqlite::testing
