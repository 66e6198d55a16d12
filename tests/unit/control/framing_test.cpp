#include "control/framing.h"

#include <gtest/gtest.h>

#include <random>

namespace nxt::control {
namespace {

Request StatusRequest(uint64_t id) {
  Request r;
  r.set_id(id);
  r.mutable_status_get();
  return r;
}

std::string Header(uint32_t n) {
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)};
}

TEST(AFrame, StartsWithTheBigEndianPayloadLength) {
  std::string out;
  ASSERT_TRUE(AppendFrame(out, std::string(0x0102, 'x')).ok());
  EXPECT_EQ(out.substr(0, 4), std::string("\0\0\x01\x02", 4));
  EXPECT_EQ(out.size(), 4u + 0x0102);
}

TEST(AFrame, IsRefusedWhenLargerThanTheLimit) {
  std::string out;
  EXPECT_FALSE(AppendFrame(out, std::string(101, 'x'), 100).ok());
  EXPECT_TRUE(out.empty());
}

TEST(AFrameDecoder, RoundTripsARequest) {
  Request sent = StatusRequest(42);
  sent.mutable_push()->set_path("/tmp/libfunctional_2_0.so");
  Result<std::string> frame = EncodeFrame(sent);
  ASSERT_TRUE(frame.ok());
  FrameDecoder d;
  d.Feed(*frame);
  auto payload = d.Pop();
  ASSERT_TRUE(payload.ok() && payload->has_value());
  Result<Request> got = ParseRequest(**payload);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id(), 42u);
  EXPECT_EQ(got->push().path(), "/tmp/libfunctional_2_0.so");
  EXPECT_EQ(d.consumed(), frame->size());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(AFrameDecoder, ReassemblesFramesFedOneByteAtATime) {
  std::string stream = *EncodeFrame(StatusRequest(1)) + *EncodeFrame(StatusRequest(2));
  FrameDecoder d;
  std::vector<uint64_t> ids;
  for (char c : stream) {
    d.Feed(std::string_view(&c, 1));
    auto payload = d.Pop();
    ASSERT_TRUE(payload.ok());
    if (payload->has_value()) ids.push_back(ParseRequest(**payload)->id());
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2}));
}

TEST(AFrameDecoder, WaitsForTheRestOfATruncatedFrame) {
  std::string frame = *EncodeFrame(StatusRequest(9));
  FrameDecoder d;
  d.Feed(std::string_view(frame).substr(0, frame.size() - 1));
  auto payload = d.Pop();
  ASSERT_TRUE(payload.ok());
  EXPECT_FALSE(payload->has_value());
  EXPECT_EQ(d.buffered(), frame.size() - 1);
  d.Feed(std::string_view(frame).substr(frame.size() - 1));
  EXPECT_TRUE(d.Pop()->has_value());
}

TEST(AFrameDecoder, RejectsAnOversizeHeaderAndStaysFailed) {
  FrameDecoder d(1024);
  d.Feed(Header(1025));
  auto payload = d.Pop();
  ASSERT_FALSE(payload.ok());
  EXPECT_EQ(payload.error().code(), Errc::kCorrupt);
  EXPECT_EQ(payload.error().message(), "frame of 1025 bytes exceeds the limit of 1024 bytes");
  d.Feed(*EncodeFrame(StatusRequest(1)));
  EXPECT_FALSE(d.Pop().ok());
  EXPECT_TRUE(d.failed());
}

TEST(AFrameDecoder, AcceptsAFrameExactlyAtTheLimit) {
  FrameDecoder d(8);
  d.Feed(Header(8) + std::string(8, 'x'));
  auto payload = d.Pop();
  ASSERT_TRUE(payload.ok() && payload->has_value());
  EXPECT_EQ(**payload, std::string(8, 'x'));
}

TEST(AFrameDecoder, DefaultsToASixteenMebibyteLimit) {
  FrameDecoder d;
  d.Feed(Header(16u << 20));
  EXPECT_TRUE(d.Pop().ok());
  FrameDecoder d2;
  d2.Feed(Header((16u << 20) + 1));
  EXPECT_FALSE(d2.Pop().ok());
}

TEST(GarbageBytes, AreNotARequest) {
  Result<Request> r = ParseRequest(std::string("\xff\xff\xff\xff", 4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
  EXPECT_FALSE(ParseResponse(std::string("\x0a\x05zz", 4)).ok());  // truncated field
}

TEST(RandomBytes, NeverCrashTheDecoder) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    FrameDecoder d(4096);
    std::string junk(rng() % 512, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (round % 2 == 0) junk.replace(0, std::min<size_t>(4, junk.size()), Header(rng() % 64));
    d.Feed(junk);
    for (int i = 0; i < 64; ++i) {
      auto payload = d.Pop();
      if (!payload.ok() || !payload->has_value()) break;
      (void)ParseRequest(**payload);  // may fail; must not crash
    }
  }
}

}  // namespace
}  // namespace nxt::control
