#include "ctl/release_parts.h"

#include <gtest/gtest.h>

namespace nxt::ctl {
namespace {

TEST(ParsePlatformFile, SplitsFileAndPlatformAtTheLastAt) {
  auto f = ParsePlatformFile("/builds/v@2/lib.so@linux-arm64-gnu");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->path, "/builds/v@2/lib.so");
  EXPECT_EQ(f->platform, "linux-arm64-gnu");
}

TEST(ParsePlatformFile, LeavesThePlatformToTheElfHeaderWhenNoneIsGiven) {
  auto f = ParsePlatformFile("lib.so");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->platform, "");
}

TEST(ParsePlatformFile, RefusesAnEmptyPlatformWithAnExample) {
  auto f = ParsePlatformFile("lib.so@");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("libfunctional.so@linux-arm64-gnu"), std::string::npos);
}

TEST(ParseReleaseName, ReadsNameAndOptionalVersion) {
  EXPECT_EQ(ParseReleaseName("libfunctional:8.6")->version, "8.6");
  EXPECT_EQ(ParseReleaseName("libfunctional")->name, "libfunctional");
  EXPECT_FALSE(ParseReleaseName(":8.6").ok());
  EXPECT_FALSE(ParseReleaseName("libfunctional:").ok());
}

TEST(IsPlatformRelease, IsTheFormWithReleaseAPlatformOrSeveralFiles) {
  EXPECT_FALSE(IsPlatformRelease({"a.so"}, ""));
  EXPECT_TRUE(IsPlatformRelease({"a.so"}, "lib:1.0"));
  EXPECT_TRUE(IsPlatformRelease({"a.so@linux-arm64-gnu"}, ""));
  EXPECT_TRUE(IsPlatformRelease({"a.so", "b.so"}, ""));
}

}  // namespace
}  // namespace nxt::ctl
