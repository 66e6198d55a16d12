#include "base/result.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace nxt {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Error(Errc::kInvalidArgument, "odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  NXT_ASSIGN(int h, Half(v));
  NXT_ASSIGN(int q, Half(h));
  return q;
}

TEST(AResult, PropagatesTheFirstErrorWithItsMessage) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
  EXPECT_EQ(r.error().WithContext("quarter").message(), "quarter: odd");
}

TEST(AnErrnoError, MapsNoSpaceAndNamesTheOperation) {
  Error e = ErrnoError("pwrite staging/x.part", ENOSPC);
  EXPECT_EQ(e.code(), Errc::kNoSpace);
  EXPECT_NE(e.message().find("pwrite staging/x.part: "), std::string::npos);
}

}  // namespace
}  // namespace nxt
