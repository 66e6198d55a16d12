#include "plugin/dl_cache.h"

#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>

namespace nxt::plugin::detail {
namespace {

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
};

struct DlClose {
  void operator()(void* handle) const { ::dlclose(handle); }
};

// The file behind the mapping that contains `address`, from /proc/self/maps
// ("start-end perms offset major:minor inode path").
Result<FileId> MappedFileAt(uintptr_t address) {
  std::ifstream maps("/proc/self/maps");
  if (!maps) return Error(Errc::kPlugin, "cannot read /proc/self/maps to check the dlopen cache");
  std::string line;
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    unsigned major_id = 0, minor_id = 0;
    unsigned long long inode = 0;
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " %*s %*s %x:%x %llu", &start, &end, &major_id,
                    &minor_id, &inode) != 5) {
      continue;
    }
    if (address >= start && address < end) {
      return FileId{makedev(major_id, minor_id), static_cast<ino_t>(inode)};
    }
  }
  return Error(Errc::kPlugin, "loaded object not found in /proc/self/maps");
}

}  // namespace

Status CheckNotStale(const std::string& path) {
  // RTLD_NOLOAD finds without loading: no plug-in code runs here.
  std::unique_ptr<void, DlClose> loaded(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD));
  if (!loaded) return Ok();  // not loaded yet: dlopen will map the file itself

  struct link_map* map = nullptr;
  if (::dlinfo(loaded.get(), RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_ld == nullptr) {
    return Error(Errc::kPlugin, "cannot tell which file the already-loaded object came from");
  }
  struct stat now {};
  if (::stat(path.c_str(), &now) != 0) return ErrnoError("stat");
  // The dynamic section lies in a mapping of the object's own file.
  NXT_ASSIGN(const FileId mapped, MappedFileAt(reinterpret_cast<uintptr_t>(map->l_ld)));
  if (mapped.dev == now.st_dev && mapped.ino == now.st_ino) return Ok();
  return Error(Errc::kPlugin,
               "an older build loaded from this path is still in use (dlopen would return it); "
               "load each build from its own path");
}

}  // namespace nxt::plugin::detail
