// ELF header inspection for plug-in files: which machine, word size and byte
// order a file was built for, whether this host can load it, and the nxt
// platform string ("linux-amd64-gnu") a manifest carries. Reads only the
// first 64 bytes of a file, with bounds checks; never maps or runs anything,
// so it is safe on hostile files and on files for other architectures.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace nxt::plugin {

struct ElfInfo {
  int bits = 0;                // 32 or 64 (EI_CLASS)
  bool little_endian = true;   // EI_DATA
  uint16_t type = 0;           // e_type: ET_DYN for a shared object
  uint16_t machine = 0;        // e_machine: EM_X86_64, EM_AARCH64, ...
  uint32_t flags = 0;          // e_flags (tells armhf from armel)
};

// Parses an ELF header from the first bytes of a file. Errors (Errc::kPlugin):
// "not an ELF file", "truncated ELF header (20 bytes, need 64)", bad class/
// data/version fields.
Result<ElfInfo> ParseElfHeader(std::span<const uint8_t> bytes);

// Reads and parses the header of `path`. Errors name the file.
Result<ElfInfo> ReadElfHeader(const std::string& path);

// Refuses what this host cannot load, e.g. "built for aarch64, this host is
// x86_64", "32-bit ELF, this host is 64-bit", "not a shared object".
Status CheckLoadableHere(const ElfInfo& info);

// ReadElfHeader + CheckLoadableHere; errors (Errc::kPlugin) name the file.
Result<ElfInfo> InspectElf(const std::string& path);

// uname-style machine name ("x86_64", "aarch64"), or "ELF machine 123".
std::string MachineName(const ElfInfo& info);

// The platform this binary was built for, e.g. "linux-amd64-gnu" or
// "linux-arm64-gnu" (Debian architecture names; libc "gnu" or "musl").
std::string HostPlatform();

// The platform a file was built for, from its ELF header. The header does not
// name the C library; nxt ships for Debian, so the suffix is always "gnu".
// Errc::kUnsupported for machines nxt has no name for.
Result<std::string> PlatformOf(const ElfInfo& info);
Result<std::string> PlatformOf(const std::string& path);

// A release's signed platform against this host, then the file's own ELF
// header (machine, class, byte order, ARM float ABI) against this host,
// before anything is mapped: "the release is signed for linux-arm64-gnu, this
// host is linux-amd64-gnu"; a build mislabelled as this host's platform fails
// with what its header says ("built for aarch64, this host is x86_64"). Empty
// `signed_platform`: only the header check. Errors (Errc::kPlugin) name the file.
Status CheckSignedPlatform(const std::string& path, const std::string& signed_platform);

}  // namespace nxt::plugin
