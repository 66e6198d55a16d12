#include "server/release_push.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/unique_fd.h"

namespace nxt::server {
namespace {

control::Push TwoPlatformRelease() {
  control::Push push;
  push.set_release_name("libfunctional");
  for (const char* p : {"linux-amd64-gnu", "linux-arm64-gnu"}) push.add_parts()->set_platform(p);
  return push;
}

TEST(PlanByPlatform, GivesEachHostThePartForItsPlatformAndSkipsTheRestWithTheReason) {
  PlatformPlan plan = PlanByPlatform({{"a", "linux-amd64-gnu"}, {"b", "linux-arm64-gnu"}, {"c", "linux-riscv64-gnu"},
                                      {"d", "linux-amd64-gnu"}},
                                     TwoPlatformRelease());
  EXPECT_EQ(plan.by_platform["linux-amd64-gnu"], (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(plan.by_platform["linux-arm64-gnu"], (std::vector<std::string>{"b"}));
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].client_id(), "c");
  EXPECT_EQ(plan.skipped[0].state(), control::TARGET_SKIPPED);
  EXPECT_EQ(plan.skipped[0].reason(), "no artifact for linux-riscv64-gnu; the release has linux-amd64-gnu, linux-arm64-gnu");
}

// A file holding one 64-byte ELF64 header for `machine`, then padding.
UniqueFd ElfPart(uint16_t machine) {
  UniqueFd fd(::memfd_create("part", MFD_CLOEXEC));
  unsigned char h[128] = {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT};
  h[16] = ET_DYN;
  h[18] = static_cast<unsigned char>(machine & 0xff);
  h[19] = static_cast<unsigned char>(machine >> 8);
  EXPECT_EQ(::write(fd.get(), h, sizeof h), static_cast<ssize_t>(sizeof h));
  return fd;
}

TEST(CheckParts, RefusesAPartWhoseElfHeaderSaysAnotherPlatform) {
  UniqueFd fd = ElfPart(EM_AARCH64);
  control::Push push;
  push.set_release_name("libfunctional");
  auto* part = push.add_parts();
  part->set_platform("linux-amd64-gnu");
  part->set_path("/b/lib.so");
  part->set_size(128);
  Status st = CheckParts(push, fd.get(), 128);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "/b/lib.so is built for linux-arm64-gnu, not linux-amd64-gnu");
  part->set_platform("linux-arm64-gnu");
  EXPECT_TRUE(CheckParts(push, fd.get(), 128).ok());
}

TEST(CheckParts, RefusesTwoPartsForOnePlatformAndPartsOutsideTheFile) {
  UniqueFd fd = ElfPart(EM_X86_64);
  control::Push push = TwoPlatformRelease();
  for (auto& p : *push.mutable_parts()) p.set_size(64);
  push.mutable_parts(1)->set_platform("linux-amd64-gnu");
  EXPECT_EQ(CheckParts(push, fd.get(), 128).error().message(), "two artifacts for linux-amd64-gnu");
  push.mutable_parts(1)->set_platform("linux-arm64-gnu");
  push.mutable_parts(1)->set_offset(100);
  EXPECT_EQ(CheckParts(push, fd.get(), 128).error().message(), "linux-arm64-gnu: part lies outside the passed file");
}

TEST(ReleaseProgress, ReportsSkippedHostsWithoutFailingAndFailsWhenNothingWasSent) {
  control::TargetProgress skipped;
  skipped.set_client_id("c");
  skipped.set_state(control::TARGET_SKIPPED);
  ReleaseProgress nothing({}, {skipped});
  EXPECT_TRUE(nothing.done());
  auto [code, text] = nothing.Verdict();
  EXPECT_EQ(code, control::RESULT_ERROR);
  EXPECT_EQ(text, "no target host runs a platform this release has, 1 skipped (no artifact for their platform)");
  EXPECT_TRUE(nothing.TakeFinal());
  EXPECT_FALSE(nothing.TakeFinal());
  EXPECT_EQ(nothing.Snapshot().targets(0).state(), control::TARGET_SKIPPED);
}

}  // namespace
}  // namespace nxt::server
