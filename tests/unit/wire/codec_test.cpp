#include "wire/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/counters.h"

namespace nxt::wire {
namespace {

constexpr size_t kMax = 1200;  // the protocol's default maximum datagram

Datagram Header(uint64_t seq = 7) {
  Datagram d;
  d.set_version(PROTOCOL_VERSION_CURRENT);
  d.set_session(0x1122334455667788ULL);
  d.set_seq(seq);
  return d;
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Decodes and returns the drop reason, failing the test if it was accepted.
DropReason DropOf(const Datagram& d, size_t max = kMax) {
  std::string bytes = d.SerializeAsString();
  DropReason reason{};
  auto r = DecodeDatagram(Span(bytes), max, &reason);
  EXPECT_FALSE(r.ok()) << d.ShortDebugString();
  return reason;
}

std::vector<Datagram> ValidSamples() {
  std::vector<Datagram> all;
  Datagram d = Header();
  auto* h = d.mutable_hello();
  h->set_client_id("client-1");
  h->set_platform("linux-amd64-gnu");
  h->mutable_running()->set_name("libfunctional");
  h->mutable_running()->set_sha256(std::string(32, 'x'));
  all.push_back(d);
  d = Header();
  d.mutable_welcome()->set_lease_ms(30000);
  all.push_back(d);
  d = Header();
  d.mutable_offer()->set_transfer(9);
  d.mutable_offer()->set_manifest_sha256(std::string(32, 's'));
  d.mutable_offer()->set_activation(ACTIVATION_LATER);
  all.push_back(d);
  d = Header();
  auto* r = d.mutable_accept()->add_have();
  r->set_first(0);
  r->set_count(10);
  all.push_back(d);
  d = Header();
  d.mutable_chunk()->set_data("payload");
  all.push_back(d);
  d = Header();
  d.mutable_ack()->set_seen(std::string(kMaxAckBitmapBytes, '\xff'));
  all.push_back(d);
  d = Header();
  d.mutable_need()->set_truncated(true);
  all.push_back(d);
  d = Header();
  d.mutable_outcome()->set_status(OUTCOME_INSTALLED);
  all.push_back(d);
  d = Header();
  d.mutable_probe();  // an empty body is still a body
  all.push_back(d);
  return all;
}

TEST(DecodeDatagram, AcceptsWhatEncodeDatagramProduced) {
  for (const Datagram& d : ValidSamples()) {
    SCOPED_TRACE(d.ShortDebugString());
    auto bytes = EncodeDatagram(d, kMax);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message();
    EXPECT_EQ(*bytes, d.SerializeAsString());
    DropReason reason = DropReason::kEmpty;
    auto back = DecodeDatagram(Span(*bytes), kMax, &reason);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->SerializeAsString(), *bytes);
    EXPECT_EQ(back->body_case(), d.body_case());
  }
}

TEST(DecodeDatagram, ReusesADatagramAcrossCalls) {
  Datagram into;
  auto samples = ValidSamples();
  for (const Datagram& d : samples) {
    std::string bytes = d.SerializeAsString();
    ASSERT_TRUE(DecodeDatagramInto(Span(bytes), kMax, &into).ok());
    EXPECT_EQ(into.SerializeAsString(), bytes) << "no field may leak from the previous datagram";
  }
}

TEST(DecodeDatagram, DropsAnEmptyDatagram) {
  DropReason reason{};
  auto r = DecodeDatagram({}, kMax, &reason);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(reason, DropReason::kEmpty);
  EXPECT_EQ(r.error().code(), Errc::kCorrupt);
}

TEST(DecodeDatagram, DropsADatagramLongerThanTheMaximumButAcceptsOneExactlyAtIt) {
  Datagram d = Header();
  d.mutable_chunk()->set_data(std::string(500, 'a'));
  std::string bytes = d.SerializeAsString();
  EXPECT_TRUE(DecodeDatagram(Span(bytes), bytes.size()).ok());
  DropReason reason{};
  auto r = DecodeDatagram(Span(bytes), bytes.size() - 1, &reason);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(reason, DropReason::kTooLarge);
  EXPECT_NE(r.error().message().find("too_large"), std::string::npos) << r.error().message();
}

TEST(DecodeDatagram, DropsBytesThatAreNotADatagram) {
  const std::vector<std::string> garbage = {
      std::string("\xff\xff\xff\xff", 4),       // invalid tag / varint
      std::string("\x0a\x05\x01", 3),           // field 1 as length-delimited, truncated
      std::string("\xaa\x01\x10", 3),           // chunk body length 16, 0 bytes follow
      std::string("\x07", 1),                   // wire type 7 does not exist
      "GET / HTTP/1.1\r\n\r\n",
  };
  for (const std::string& g : garbage) {
    DropReason reason{};
    auto r = DecodeDatagram(Span(g), kMax, &reason);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(reason, DropReason::kMalformed) << r.error().message();
  }
}

TEST(DecodeDatagram, DropsInvalidUtf8InAStringField) {
  // libprotobuf will not serialize a bad string, so build the bytes from a
  // Chunk (bytes field, same wire form) and re-tag chunk (21) as hello (16)
  // and data (4) as client_id (1).
  Datagram raw = Header();
  raw.mutable_chunk()->set_data("\xc3\x28");  // not UTF-8
  std::string bytes = raw.SerializeAsString();
  size_t pos = bytes.find("\xaa\x01");
  ASSERT_NE(pos, std::string::npos);
  bytes[pos] = static_cast<char>(0x82);  // tag (16 << 3) | 2 = 130 = 0x82 0x01
  size_t data_tag = bytes.find('\x22', pos + 2);
  ASSERT_NE(data_tag, std::string::npos);
  bytes[data_tag] = '\x0a';  // field 1, length-delimited
  DropReason reason{};
  ASSERT_FALSE(DecodeDatagram(Span(bytes), kMax, &reason).ok());
  EXPECT_EQ(reason, DropReason::kMalformed);
}

TEST(DecodeDatagram, DropsAnotherProtocolVersion) {
  for (uint32_t version : {0u, 2u, 1000u}) {
    Datagram d = Header();
    d.set_version(version);
    d.mutable_probe();
    std::string bytes = d.SerializeAsString();
    DropReason reason{};
    auto r = DecodeDatagram(Span(bytes), kMax, &reason);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(reason, DropReason::kWrongVersion);
    EXPECT_EQ(r.error().code(), Errc::kUnsupported);
    EXPECT_NE(r.error().message().find("protocol version " + std::to_string(version)),
              std::string::npos) << r.error().message();
  }
}

TEST(DecodeDatagram, DropsADatagramWithoutABodyOrWithABodyFromANewerProtocol) {
  EXPECT_EQ(DropOf(Header()), DropReason::kNoBody);
  // Field 63 (a body type this build does not know), length 0.
  std::string bytes = Header().SerializeAsString() + std::string("\xfa\x03\x00", 3);
  DropReason reason{};
  ASSERT_FALSE(DecodeDatagram(Span(bytes), kMax, &reason).ok());
  EXPECT_EQ(reason, DropReason::kNoBody);
}

TEST(DecodeDatagram, CountsDropsPerReasonByName) {
  DatagramCounters counters;
  for (const std::string& bytes : {std::string(), std::string("\xff", 1), Header().SerializeAsString()}) {
    DropReason reason{};
    if (DecodeDatagram(Span(bytes), kMax, &reason).ok())
      counters.CountReceived();
    else
      counters.CountDrop(reason);
  }
  EXPECT_EQ(counters.received, 0u);
  EXPECT_EQ(counters.dropped_by(DropReason::kEmpty), 1u);
  EXPECT_EQ(counters.dropped_by(DropReason::kMalformed), 1u);
  EXPECT_EQ(counters.dropped_by(DropReason::kNoBody), 1u);
  EXPECT_EQ(counters.dropped_total(), 3u);
  EXPECT_EQ(DropReasonName(DropReason::kEmpty), "empty");
  EXPECT_EQ(DropReasonName(DropReason::kTooLarge), "too_large");
  EXPECT_EQ(DropReasonName(DropReason::kMalformed), "malformed");
  EXPECT_EQ(DropReasonName(DropReason::kWrongVersion), "wrong_version");
  EXPECT_EQ(DropReasonName(DropReason::kNoBody), "no_body");
  EXPECT_EQ(DropReasonName(DropReason::kInvalidField), "invalid_field");
}

TEST(EncodeDatagram, RefusesToExceedTheMaximumSize) {
  Datagram d = Header();
  d.mutable_chunk()->set_data(std::string(kMax, 'a'));
  auto r = EncodeDatagram(d, kMax);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kInvalidArgument);
  std::string out = "old";
  EXPECT_TRUE(EncodeDatagram(d, &out).ok());
  EXPECT_EQ(out, d.SerializeAsString());
}

TEST(EncodeDatagram, WritesIntoACallerBufferOnlyWhenItFits) {
  Datagram d = ValidSamples()[0];
  std::string want = d.SerializeAsString();
  std::vector<uint8_t> buf(want.size());
  ASSERT_EQ(EncodeDatagramInto(d, buf), want.size());
  EXPECT_EQ(std::string(buf.begin(), buf.end()), want);
  std::vector<uint8_t> small(want.size() - 1);
  EXPECT_EQ(EncodeDatagramInto(d, small), 0u);
}

}  // namespace
}  // namespace nxt::wire
