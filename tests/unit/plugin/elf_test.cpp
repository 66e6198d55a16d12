#include "plugin/elf.h"

#include <elf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <vector>

#include "plugin_files.h"

namespace nxt::plugin {
namespace {

using ::testing::HasSubstr;
using testing::BuiltPlugin;
using testing::TempDir;

// A minimal ELF file header; the rest of the fields stay zero.
std::vector<uint8_t> Header(int bits, bool little_endian, uint16_t type, uint16_t machine) {
  std::vector<uint8_t> h(bits == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), 0);
  h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F';
  h[EI_CLASS] = bits == 64 ? ELFCLASS64 : ELFCLASS32;
  h[EI_DATA] = little_endian ? ELFDATA2LSB : ELFDATA2MSB;
  h[EI_VERSION] = EV_CURRENT;
  auto put16 = [&](size_t at, uint16_t v) {
    h[at + (little_endian ? 0 : 1)] = v & 0xff;
    h[at + (little_endian ? 1 : 0)] = v >> 8;
  };
  put16(16, type);
  put16(18, machine);
  return h;
}

std::string ReadPrefix(const std::string& path, size_t n) {
  std::string bytes(n, '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

TEST(ParseElfHeader, ReadsMachineWordSizeAndByteOrder) {
  auto info = ParseElfHeader(Header(64, false, ET_DYN, EM_S390));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->bits, 64);
  EXPECT_FALSE(info->little_endian);
  EXPECT_EQ(info->machine, EM_S390);
  EXPECT_EQ(info->type, ET_DYN);
}

TEST(ParseElfHeader, RefusesBytesWithoutTheElfMagic) {
  const std::string text = "#!/bin/sh\necho not a library\n";
  auto info = ParseElfHeader({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), Errc::kPlugin);
  EXPECT_EQ(info.error().message(), "not an ELF file");
}

TEST(ParseElfHeader, RefusesAHeaderCutShortWithTheByteCounts) {
  auto bytes = Header(64, true, ET_DYN, EM_X86_64);
  bytes.resize(20);
  auto info = ParseElfHeader(bytes);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message(), "truncated ELF header (20 bytes, need 64)");
}

TEST(ParseElfHeader, RefusesEveryPrefixOfAValidHeader) {
  const auto full = Header(32, true, ET_DYN, EM_386);
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(ParseElfHeader({full.data(), n}).ok()) << n << " bytes";
  }
  EXPECT_TRUE(ParseElfHeader(full).ok());
}

TEST(ParseElfHeader, RefusesAnUnknownClass) {
  auto bytes = Header(64, true, ET_DYN, EM_X86_64);
  bytes[EI_CLASS] = 7;
  auto info = ParseElfHeader(bytes);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message(), "unknown ELF class 7");
}

TEST(CheckLoadableHere, AcceptsAHeaderOfThisHostsOwnPlugin) {
  auto info = ReadElfHeader(BuiltPlugin("libfunctional.so"));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_TRUE(CheckLoadableHere(*info).ok());
}

#if defined(__x86_64__) && defined(__LP64__)
TEST(CheckLoadableHere, NamesBothMachinesWhenTheyDiffer) {
  auto status = CheckLoadableHere(*ParseElfHeader(Header(32, true, ET_DYN, EM_386)));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "built for i386, this host is x86_64");
}

TEST(CheckLoadableHere, RefusesTheWrongWordSizeForTheSameMachine) {
  auto status = CheckLoadableHere(*ParseElfHeader(Header(32, true, ET_DYN, EM_X86_64)));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "32-bit ELF, this host is 64-bit");
}

TEST(CheckLoadableHere, RefusesAnExecutable) {
  auto status = CheckLoadableHere(*ParseElfHeader(Header(64, true, ET_EXEC, EM_X86_64)));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "not a shared object (ELF type 2)");
}

TEST(HostPlatform, IsAmd64GnuOnThisBuild) { EXPECT_EQ(HostPlatform(), "linux-amd64-gnu"); }

TEST(InspectElf, RefusesTheForeignPluginAsBuiltForAarch64) {
  const std::string path = BuiltPlugin("libfunctional_foreign.so");
  auto info = InspectElf(path);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), Errc::kPlugin);
  EXPECT_EQ(info.error().message(), path + ": built for aarch64, this host is x86_64");
}

TEST(CheckSignedPlatform, RefusesABuildMislabelledAsThisHostsPlatform) {
  const std::string path = BuiltPlugin("libfunctional_foreign.so");
  auto status = CheckSignedPlatform(path, HostPlatform());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), path + ": built for aarch64, this host is x86_64");
}

TEST(PlatformOf, NamesTheForeignPluginsPlatform) {
  auto platform = PlatformOf(BuiltPlugin("libfunctional_foreign.so"));
  ASSERT_TRUE(platform.ok()) << platform.error().message();
  EXPECT_EQ(*platform, "linux-arm64-gnu");
}
#endif

TEST(PlatformOf, MatchesHostPlatformForAPluginBuiltHere) {
  auto platform = PlatformOf(BuiltPlugin("libfunctional_2_0.so"));
  ASSERT_TRUE(platform.ok()) << platform.error().message();
  EXPECT_EQ(*platform, HostPlatform());
}

TEST(CheckSignedPlatform, RefusesAReleaseSignedForAnotherPlatformBeforeReadingTheFile) {
  auto status = CheckSignedPlatform("/nonexistent/lib.so", "linux-riscv64-gnu");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "/nonexistent/lib.so: the release is signed for linux-riscv64-gnu, this host is " + HostPlatform());
}

TEST(CheckSignedPlatform, AcceptsABuildOfThisHostSignedForThisHost) {
  EXPECT_TRUE(CheckSignedPlatform(BuiltPlugin("libfunctional_2_0.so"), HostPlatform()).ok());
  EXPECT_TRUE(CheckSignedPlatform(BuiltPlugin("libfunctional_2_0.so"), "").ok());
}

TEST(PlatformOf, NamesDebianArchitectures) {
  EXPECT_EQ(*PlatformOf(*ParseElfHeader(Header(64, true, ET_DYN, EM_AARCH64))), "linux-arm64-gnu");
  EXPECT_EQ(*PlatformOf(*ParseElfHeader(Header(64, false, ET_DYN, EM_S390))), "linux-s390x-gnu");
  EXPECT_EQ(*PlatformOf(*ParseElfHeader(Header(64, true, ET_DYN, EM_PPC64))), "linux-ppc64el-gnu");
}

TEST(PlatformOf, RefusesAMachineItHasNoNameFor) {
  auto platform = PlatformOf(*ParseElfHeader(Header(64, true, ET_DYN, 0x7777)));
  ASSERT_FALSE(platform.ok());
  EXPECT_EQ(platform.error().code(), Errc::kUnsupported);
  EXPECT_THAT(platform.error().message(), HasSubstr("ELF machine 30583"));
}

TEST(InspectElf, RefusesATextFileNamingTheFile) {
  const std::string path = BuiltPlugin("libfunctional_notelf.so");
  auto info = InspectElf(path);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message(), path + ": not an ELF file");
}

TEST(InspectElf, RefusesAnEmptyFile) {
  TempDir dir;
  auto info = InspectElf(dir.Write("empty.so", ""));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message(), dir.Path("empty.so") + ": not an ELF file");
}

TEST(InspectElf, RefusesARealPluginCutOffInsideItsHeader) {
  TempDir dir;
  const std::string path = dir.Write("cut.so", ReadPrefix(BuiltPlugin("libfunctional.so"), 40));
  auto info = InspectElf(path);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message(), path + ": truncated ELF header (40 bytes, need 64)");
}

TEST(InspectElf, RefusesAFifoWithoutBlocking) {
  TempDir dir;
  ASSERT_EQ(::mkfifo(dir.Path("fifo.so").c_str(), 0600), 0);
  auto info = InspectElf(dir.Path("fifo.so"));
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.error().message(), HasSubstr("not a regular file"));
}

TEST(InspectElf, ReportsAMissingFileAsNotFound) {
  TempDir dir;
  auto info = InspectElf(dir.Path("absent.so"));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), Errc::kNotFound);
  EXPECT_THAT(info.error().message(), HasSubstr(dir.Path("absent.so")));
}

}  // namespace
}  // namespace nxt::plugin
