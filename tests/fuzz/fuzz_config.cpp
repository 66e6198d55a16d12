// libFuzzer target for the configuration parser (toml++ under a schema):
// a broken /etc/nxt file must produce an error with a position, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sys/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nxt::sys::ConfigSchema schema = [] {
    nxt::sys::ConfigSchema s;
    s.StringArray("listen", {"[::]:5467"}, "addresses");
    s.String("state_dir", "/var/lib/nxt", "dir", nxt::sys::NonEmpty());
    s.Int("lease_seconds", 60, "lease", nxt::sys::IntRange(3, 86400));
    s.Bool("auto_approve", false, "approve");
    s.String("transfer.mode", "fast", "mode", nxt::sys::OneOf({"fast", "slow"}));
    return s;
  }();
  (void)nxt::sys::ParseConfig(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml", schema);
  return 0;
}
