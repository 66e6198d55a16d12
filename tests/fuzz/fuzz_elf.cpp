// libFuzzer target for the ELF header check the client runs on every pushed
// plug-in before anything loads it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "plugin/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = nxt::plugin::ParseElfHeader(std::span<const uint8_t>(data, size));
  if (info.ok()) {
    (void)nxt::plugin::CheckLoadableHere(*info);
    (void)nxt::plugin::PlatformOf(*info);
  }
  return 0;
}
