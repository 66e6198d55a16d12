#include "plugin/elf.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>

#include "base/unique_fd.h"

namespace nxt::plugin {
namespace {

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif
#ifndef EF_ARM_ABI_FLOAT_HARD
#define EF_ARM_ABI_FLOAT_HARD 0x400
#endif

// What this binary was compiled for; a plug-in must match it exactly.
#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__i386__)
constexpr uint16_t kHostMachine = EM_386;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#elif defined(__arm__)
constexpr uint16_t kHostMachine = EM_ARM;
#elif defined(__riscv)
constexpr uint16_t kHostMachine = EM_RISCV;
#elif defined(__powerpc64__)
constexpr uint16_t kHostMachine = EM_PPC64;
#elif defined(__s390x__)
constexpr uint16_t kHostMachine = EM_S390;
#elif defined(__loongarch64)
constexpr uint16_t kHostMachine = EM_LOONGARCH;
#else
#error "nxt: unknown host architecture; add it to plugin/elf.cpp"
#endif
constexpr int kHostBits = sizeof(void*) * 8;
constexpr bool kHostLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
#if defined(__arm__) && defined(__ARM_PCS_VFP)
constexpr uint32_t kHostFlags = EF_ARM_ABI_FLOAT_HARD;
#else
constexpr uint32_t kHostFlags = 0;
#endif

// 64 B: the larger of the ELF32 (52 B) and ELF64 (64 B) file headers.
constexpr size_t kMaxHeaderBytes = sizeof(Elf64_Ehdr);

struct Arch {
  uint16_t machine;
  int bits;
  bool little_endian;
  const char* uname;   // what `uname -m` says on such a host
  const char* debian;  // Debian architecture name, used in platform strings
};

constexpr Arch kArches[] = {
    {EM_X86_64, 64, true, "x86_64", "amd64"},
    {EM_X86_64, 32, true, "x32", "x32"},
    {EM_386, 32, true, "i386", "i386"},
    {EM_AARCH64, 64, true, "aarch64", "arm64"},
    {EM_ARM, 32, true, "arm", "armel"},  // armhf when e_flags says hard-float
    {EM_RISCV, 64, true, "riscv64", "riscv64"},
    {EM_PPC64, 64, true, "ppc64le", "ppc64el"},
    {EM_PPC64, 64, false, "ppc64", "ppc64"},
    {EM_S390, 64, false, "s390x", "s390x"},
    {EM_LOONGARCH, 64, true, "loongarch64", "loong64"},
};

const Arch* FindArch(const ElfInfo& info) {
  for (const Arch& a : kArches) {
    if (a.machine == info.machine && a.bits == info.bits && a.little_endian == info.little_endian) return &a;
  }
  return nullptr;
}

ElfInfo HostInfo() {
  return ElfInfo{kHostBits, kHostLittleEndian, ET_DYN, kHostMachine, kHostFlags};
}

bool IsArmHardFloat(const ElfInfo& info) {
  return info.machine == EM_ARM && (info.flags & EF_ARM_ABI_FLOAT_HARD) != 0;
}

uint32_t ReadInt(std::span<const uint8_t> b, size_t offset, size_t size, bool little_endian) {
  uint32_t v = 0;
  for (size_t i = 0; i < size; ++i) {
    const size_t index = little_endian ? offset + size - 1 - i : offset + i;
    v = (v << 8) | b[index];
  }
  return v;
}

Error PluginError(std::string message) { return Error(Errc::kPlugin, std::move(message)); }

}  // namespace

Result<ElfInfo> ParseElfHeader(std::span<const uint8_t> b) {
  if (b.size() < SELFMAG || b[EI_MAG0] != ELFMAG0 || b[EI_MAG1] != ELFMAG1 || b[EI_MAG2] != ELFMAG2 ||
      b[EI_MAG3] != ELFMAG3) {
    return PluginError("not an ELF file");
  }
  if (b.size() < EI_NIDENT) {
    return PluginError("truncated ELF header (" + std::to_string(b.size()) + " bytes, need " +
                       std::to_string(EI_NIDENT) + ")");
  }
  ElfInfo info;
  if (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) {
    return PluginError("unknown ELF class " + std::to_string(b[EI_CLASS]));
  }
  info.bits = b[EI_CLASS] == ELFCLASS64 ? 64 : 32;
  if (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB) {
    return PluginError("unknown ELF byte order " + std::to_string(b[EI_DATA]));
  }
  info.little_endian = b[EI_DATA] == ELFDATA2LSB;
  if (b[EI_VERSION] != EV_CURRENT) return PluginError("unknown ELF version " + std::to_string(b[EI_VERSION]));

  const size_t need = info.bits == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  if (b.size() < need) {
    return PluginError("truncated ELF header (" + std::to_string(b.size()) + " bytes, need " +
                       std::to_string(need) + ")");
  }
  const bool le = info.little_endian;
  info.type = static_cast<uint16_t>(ReadInt(b, offsetof(Elf64_Ehdr, e_type), 2, le));
  info.machine = static_cast<uint16_t>(ReadInt(b, offsetof(Elf64_Ehdr, e_machine), 2, le));
  // e_type and e_machine sit at the same offsets in both classes; e_flags does not.
  const size_t flags_at = info.bits == 64 ? offsetof(Elf64_Ehdr, e_flags) : offsetof(Elf32_Ehdr, e_flags);
  info.flags = ReadInt(b, flags_at, 4, le);
  return info;
}

Result<ElfInfo> ReadElfHeader(const std::string& path) {
  // O_NONBLOCK: a FIFO planted at the path must not block the daemon.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) return ErrnoError(path + ": open");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(path + ": fstat");
  if (!S_ISREG(st.st_mode)) return PluginError(path + ": not a regular file");

  uint8_t buf[kMaxHeaderBytes];
  size_t got = 0;
  while (got < sizeof buf) {
    const ssize_t n = ::read(fd.get(), buf + got, sizeof buf - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(path + ": read");
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  auto info = ParseElfHeader(std::span<const uint8_t>(buf, got));
  if (!info.ok()) return std::move(info).error().WithContext(path);
  return info;
}

std::string MachineName(const ElfInfo& info) {
  if (const Arch* a = FindArch(info)) return a->uname;
  for (const Arch& a : kArches) {
    if (a.machine == info.machine) return a.uname;
  }
  return "ELF machine " + std::to_string(info.machine);
}

Status CheckLoadableHere(const ElfInfo& info) {
  const ElfInfo host = HostInfo();
  if (info.machine != host.machine) {
    return PluginError("built for " + MachineName(info) + ", this host is " + MachineName(host));
  }
  if (info.bits != host.bits) {
    return PluginError(std::to_string(info.bits) + "-bit ELF, this host is " + std::to_string(host.bits) +
                       "-bit");
  }
  if (info.little_endian != host.little_endian) {
    return PluginError(std::string(info.little_endian ? "little" : "big") + "-endian ELF, this host is " +
                       (host.little_endian ? "little" : "big") + "-endian");
  }
  if (IsArmHardFloat(info) != IsArmHardFloat(host)) {
    return PluginError("built for " + PlatformOf(info).value() + ", this host is " + HostPlatform());
  }
  if (info.type != ET_DYN) {
    return PluginError("not a shared object (ELF type " + std::to_string(info.type) + ")");
  }
  return Ok();
}

Result<ElfInfo> InspectElf(const std::string& path) {
  NXT_ASSIGN(ElfInfo info, ReadElfHeader(path));
  Status loadable = CheckLoadableHere(info);
  if (!loadable.ok()) return std::move(loadable).error().WithContext(path);
  return info;
}

Result<std::string> PlatformOf(const ElfInfo& info) {
  const Arch* a = FindArch(info);
  if (a == nullptr) {
    return Error(Errc::kUnsupported, "no nxt platform for " + MachineName(info) + " (" +
                                         std::to_string(info.bits) + "-bit)");
  }
  const std::string arch = IsArmHardFloat(info) ? "armhf" : a->debian;
  return "linux-" + arch + "-gnu";
}

Result<std::string> PlatformOf(const std::string& path) {
  NXT_ASSIGN(ElfInfo info, ReadElfHeader(path));
  auto platform = PlatformOf(info);
  if (!platform.ok()) return std::move(platform).error().WithContext(path);
  return platform;
}

Status CheckSignedPlatform(const std::string& path, const std::string& signed_platform) {
  if (!signed_platform.empty() && signed_platform != HostPlatform())
    return PluginError(path + ": the release is signed for " + signed_platform + ", this host is " + HostPlatform());
  // Signed for this host, so the file must be loadable here: a mislabelled
  // build fails this with what its header really says.
  NXT_ASSIGN(ElfInfo info, InspectElf(path));
  (void)info;
  return Ok();
}

std::string HostPlatform() {
  std::string platform = PlatformOf(HostInfo()).value();
#if !defined(__GLIBC__)
  // Not glibc: on Linux that means musl, whose binaries a glibc plug-in cannot use.
  platform.replace(platform.size() - 3, 3, "musl");
#endif
  return platform;
}

}  // namespace nxt::plugin
