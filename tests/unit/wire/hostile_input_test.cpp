// Bytes from the network are hostile (STYLE.md rule 6): every bad input must
// come back as a DropReason, never a crash, and structural bounds must hold
// for everything that is accepted.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "wire/codec.h"

namespace nxt::wire {
namespace {

constexpr size_t kMax = 1200;

Datagram Header() {
  Datagram d;
  d.set_version(PROTOCOL_VERSION_CURRENT);
  d.set_session(42);
  d.set_seq(1);
  return d;
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void AddRanges(google::protobuf::RepeatedPtrField<Range>* ranges, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    Range* r = ranges->Add();
    r->set_first(i * 10);
    r->set_count(5);
  }
}

struct FieldCase {
  const char* name;           // also the field named in the error
  std::function<void(Datagram&)> breaks;  // makes the datagram violate one bound
  std::function<void(Datagram&)> at_limit;  // the same field exactly at its bound
};

std::vector<FieldCase> FieldCases() {
  return {
      {"ack.seen", [](Datagram& d) { d.mutable_ack()->set_seen(std::string(65, 'x')); },
       [](Datagram& d) { d.mutable_ack()->set_seen(std::string(64, 'x')); }},
      {"chunk.data", [](Datagram& d) { d.mutable_chunk(); },
       [](Datagram& d) { d.mutable_chunk()->set_data("x"); }},
      {"need.missing", [](Datagram& d) { AddRanges(d.mutable_need()->mutable_missing(), 257); },
       [](Datagram& d) { AddRanges(d.mutable_need()->mutable_missing(), 256); }},
      {"need.missing",
       [](Datagram& d) { d.mutable_need()->add_missing()->set_first(3); },  // count 0
       [](Datagram& d) { d.mutable_need()->add_missing()->set_count(1); }},
      {"accept.have",
       [](Datagram& d) {
         Range* r = d.mutable_accept()->add_have();
         r->set_first(UINT64_MAX - 1);
         r->set_count(2);  // wraps around
       },
       [](Datagram& d) {
         Range* r = d.mutable_accept()->add_have();
         r->set_first(UINT64_MAX - 1);
         r->set_count(1);
       }},
      {"hello.client_id", [](Datagram& d) { d.mutable_hello()->set_client_id(std::string(129, 'c')); },
       [](Datagram& d) { d.mutable_hello()->set_client_id(std::string(128, 'c')); }},
      {"hello.running.sha256",
       [](Datagram& d) { d.mutable_hello()->mutable_running()->set_sha256(std::string(31, 's')); },
       [](Datagram& d) { d.mutable_hello()->mutable_running()->set_sha256(std::string(32, 's')); }},
      {"offer.manifest_sha256",
       [](Datagram& d) { d.mutable_offer()->set_manifest_sha256(std::string(33, 's')); },
       [](Datagram& d) { d.mutable_offer()->set_manifest_sha256(std::string(32, 's')); }},
      {"offer.activation", [](Datagram& d) { d.mutable_offer()->set_activation(static_cast<Activation>(7)); },
       [](Datagram& d) { d.mutable_offer()->set_activation(ACTIVATION_LATER); }},
      {"decline.reason", [](Datagram& d) { d.mutable_decline()->set_reason(static_cast<DeclineReason>(99)); },
       [](Datagram& d) { d.mutable_decline()->set_reason(DECLINE_OLDER_VERSION); }},
      {"decline.message", [](Datagram& d) { d.mutable_decline()->set_message(std::string(513, 'm')); },
       [](Datagram& d) { d.mutable_decline()->set_message(std::string(512, 'm')); }},
      {"outcome.status", [](Datagram& d) { d.mutable_outcome()->set_status(static_cast<OutcomeStatus>(-1)); },
       [](Datagram& d) { d.mutable_outcome()->set_status(OUTCOME_DECLINED); }},
      {"welcome.server_id", [](Datagram& d) { d.mutable_welcome()->set_server_id(std::string(200, 's')); },
       [](Datagram& d) { d.mutable_welcome()->set_server_id(std::string(128, 's')); }},
      {"report.staged.platform",
       [](Datagram& d) { d.mutable_report()->mutable_staged()->set_platform(std::string(129, 'p')); },
       [](Datagram& d) { d.mutable_report()->mutable_staged()->set_platform(std::string(128, 'p')); }},
  };
}

TEST(HostileInput, AFieldBeyondItsBoundIsDroppedAndNamedButOneAtTheBoundPasses) {
  constexpr size_t kLarge = 65535;  // 257 ranges do not fit in 1200 bytes
  for (const FieldCase& c : FieldCases()) {
    SCOPED_TRACE(c.name);
    Datagram bad = Header();
    c.breaks(bad);
    std::string bytes = bad.SerializeAsString();
    DropReason reason{};
    auto r = DecodeDatagram(Span(bytes), kLarge, &reason);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(reason, DropReason::kInvalidField);
    EXPECT_NE(r.error().message().find(c.name), std::string::npos) << r.error().message();

    Datagram good = Header();
    c.at_limit(good);
    bytes = good.SerializeAsString();
    auto ok = DecodeDatagram(Span(bytes), kLarge);
    EXPECT_TRUE(ok.ok()) << ok.error().message();
  }
}

std::string ValidChunk() {
  Datagram d = Header();
  d.set_session(0xfedcba9876543210ULL);
  d.set_seq(123456789);
  Chunk* c = d.mutable_chunk();
  c->set_transfer(77);
  c->set_index(5000);
  c->set_sent_us(1'700'000'000'000'000ULL);
  c->set_data(std::string(300, 'd'));
  return d.SerializeAsString();
}

TEST(HostileInput, EveryTruncatedPrefixOfAValidDatagramIsDropped) {
  std::string full = ValidChunk();
  ASSERT_TRUE(DecodeDatagram(Span(full), kMax).ok());
  for (size_t len = 0; len < full.size(); ++len) {
    DropReason reason{};
    auto r = DecodeDatagram(Span(full).first(len), kMax, &reason);
    ASSERT_FALSE(r.ok()) << "prefix of " << len << " bytes was accepted";
    EXPECT_TRUE(reason == DropReason::kEmpty || reason == DropReason::kMalformed ||
                reason == DropReason::kNoBody)
        << len << ": " << r.error().message();
  }
}

// Whatever the decoder accepts must satisfy the promises later code relies on.
void ExpectTrustworthy(const Datagram& d) {
  EXPECT_EQ(d.version(), static_cast<uint32_t>(PROTOCOL_VERSION_CURRENT));
  EXPECT_NE(d.body_case(), Datagram::BODY_NOT_SET);
  if (d.has_chunk()) {
    EXPECT_FALSE(d.chunk().data().empty());
  }
  if (d.has_ack()) {
    EXPECT_LE(d.ack().seen().size(), kMaxAckBitmapBytes);
  }
  if (d.has_need()) {
    EXPECT_LE(static_cast<size_t>(d.need().missing_size()), kMaxRanges);
  }
}

TEST(HostileInput, RandomBytesNeverCrashAndAlwaysGiveAReason) {
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<size_t> length(0, 1400);
  std::uniform_int_distribution<int> byte(0, 255);
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(length(rng));
    for (auto& b : bytes) b = static_cast<uint8_t>(byte(rng));
    DropReason reason = static_cast<DropReason>(255);
    auto r = DecodeDatagram(bytes, kMax, &reason);
    if (r.ok()) {
      ++accepted;
      ExpectTrustworthy(*r);
    } else {
      EXPECT_LT(static_cast<size_t>(reason), kDropReasonCount);
      if (bytes.size() > kMax) {
        EXPECT_EQ(reason, DropReason::kTooLarge);
      }
    }
  }
  EXPECT_LT(accepted, 100u) << "random bytes should almost never be a valid datagram";
}

TEST(HostileInput, FlippedBitsInAValidDatagramNeverCrashAndAcceptedOnesStayBounded) {
  std::string valid = ValidChunk();
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<size_t> pos(0, valid.size() - 1);
  std::uniform_int_distribution<int> bit(0, 7);
  size_t dropped = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string m = valid;
    for (int flips = 1 + i % 3; flips > 0; --flips) m[pos(rng)] ^= static_cast<char>(1 << bit(rng));
    DropReason reason{};
    auto r = DecodeDatagram(Span(m), kMax, &reason);
    if (r.ok())
      ExpectTrustworthy(*r);
    else
      ++dropped;
  }
  EXPECT_GT(dropped, 0u);
}

}  // namespace
}  // namespace nxt::wire
