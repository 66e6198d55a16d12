// Real sockets on loopback: this module's job is sockets. Waits poll the fd
// with a deadline; nothing sleeps.
#include "net/udp_endpoint.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace nxt::net {

inline void PrintTo(const Address& a, std::ostream* os) { *os << a.ToString(); }

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(5);

struct Copy {
  Address from;
  std::vector<uint8_t> data;
  bool truncated;
};

UdpEndpoint MustBind(const Address& a, EndpointOptions o = {}) {
  auto ep = UdpEndpoint::Bind(a, o);
  if (!ep.ok()) ADD_FAILURE() << ep.error().message();
  return std::move(ep).value();
}

// Collects datagrams until `want` arrived or the deadline passed.
std::vector<Copy> ReceiveUntil(UdpEndpoint& ep, size_t want, size_t max_per_call = 64) {
  std::vector<Copy> got;
  std::vector<ReceivedDatagram> batch;
  auto deadline = Clock::now() + kDeadline;
  while (got.size() < want && Clock::now() < deadline) {
    auto n = ep.ReceiveBatch(batch, max_per_call);
    if (!n.ok()) {
      ADD_FAILURE() << n.error().message();
      break;
    }
    for (const auto& d : batch)
      got.push_back(Copy{d.from, {d.data.begin(), d.data.end()}, d.truncated});
    if (*n == 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{ep.fd(), POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    }
  }
  return got;
}

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Where to send to reach `ep` (its wildcard bind replaced by loopback).
Address Target(const UdpEndpoint& ep, bool ipv6) {
  return ipv6 ? Address::Ipv6Loopback(ep.local_address().port())
              : Address::Ipv4Loopback(ep.local_address().port());
}

TEST(AUdpEndpoint, BindsAnEphemeralPortAndReportsIt) {
  UdpEndpoint ep = MustBind(Address::Ipv4Loopback(0));
  EXPECT_NE(ep.local_address().port(), 0);
  EXPECT_EQ(ep.local_address().ToString(), "127.0.0.1:" + std::to_string(ep.local_address().port()));
  EXPECT_GE(ep.fd(), 0);
}

TEST(AUdpEndpoint, DeliversADatagramSentToItsOwnAddressOverIpv4AndIpv6) {
  for (Address local : {Address::Ipv4Loopback(0), Address::Ipv6Loopback(0)}) {
    SCOPED_TRACE(local.ToString());
    UdpEndpoint ep = MustBind(local);
    auto payload = Bytes("hello nxt");
    ASSERT_EQ(*ep.SendTo(ep.local_address(), payload), 1u);
    auto got = ReceiveUntil(ep, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].data, payload);
    EXPECT_EQ(got[0].from, ep.local_address());
    EXPECT_FALSE(got[0].truncated);
  }
}

TEST(AUdpEndpoint, BoundToTheIpv6WildcardServesIpv4AndIpv6ClientsWithTheirTrueAddresses) {
  UdpEndpoint server = MustBind(Address::Ipv6Any(0));
  EXPECT_TRUE(server.dual_stack());
  EXPECT_EQ(server.local_address().ToString(), "[::]:" + std::to_string(server.local_address().port()));
  UdpEndpoint v4 = MustBind(Address::Ipv4Loopback(0));
  UdpEndpoint v6 = MustBind(Address::Ipv6Loopback(0));
  ASSERT_EQ(*v4.SendTo(Target(server, false), Bytes("from-v4")), 1u);
  ASSERT_EQ(*v6.SendTo(Target(server, true), Bytes("from-v6")), 1u);

  auto got = ReceiveUntil(server, 2);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& d : got) {
    if (d.data == Bytes("from-v4")) {
      EXPECT_TRUE(d.from.is_ipv4()) << d.from.ToString();
      EXPECT_EQ(d.from, v4.local_address());
    } else {
      EXPECT_EQ(d.data, Bytes("from-v6"));
      EXPECT_EQ(d.from, v6.local_address());
    }
  }
  // Replies go back through the one socket to both families.
  std::vector<uint8_t> reply = Bytes("reply");
  OutgoingDatagram out[] = {{v4.local_address(), reply}, {v6.local_address(), reply}};
  ASSERT_EQ(*server.SendBatch(out), 2u);
  EXPECT_EQ(ReceiveUntil(v4, 1).size(), 1u);
  EXPECT_EQ(ReceiveUntil(v6, 1).size(), 1u);
}

TEST(AUdpEndpoint, BoundToTheIpv4WildcardIsIpv4OnlyAndRefusesIpv6Destinations) {
  UdpEndpoint ep = MustBind(Address::Ipv4Any(0));
  EXPECT_FALSE(ep.dual_stack());
  EXPECT_FALSE(ep.SendTo(Address::Ipv6Loopback(9), Bytes("x")).ok());
  EXPECT_EQ(*ep.SendTo(Target(ep, false), Bytes("x")), 1u);
  EXPECT_EQ(ReceiveUntil(ep, 1).size(), 1u);
}

TEST(AUdpEndpoint, SendsAndReceives500DatagramsInBatchesInOrder) {
  UdpEndpoint rx = MustBind(Address::Ipv4Loopback(0));
  UdpEndpoint tx = MustBind(Address::Ipv4Loopback(0));
  constexpr size_t kCount = 500;
  std::vector<std::vector<uint8_t>> payloads(kCount);
  std::vector<OutgoingDatagram> batch;
  for (size_t i = 0; i < kCount; ++i) {
    payloads[i] = Bytes("datagram " + std::to_string(i) + std::string(i % 97, 'x'));
    batch.push_back({rx.local_address(), payloads[i]});
  }
  auto sent = tx.SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.error().message();
  ASSERT_EQ(*sent, kCount);

  auto got = ReceiveUntil(rx, kCount);
  ASSERT_EQ(got.size(), kCount);
  for (size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(got[i].data, payloads[i]) << i;
    EXPECT_EQ(got[i].from, tx.local_address());
  }
}

TEST(AUdpEndpoint, ReturnsZeroNotAnErrorWhenNothingIsWaiting) {
  UdpEndpoint ep = MustBind(Address::Ipv4Loopback(0));
  std::vector<ReceivedDatagram> out(3);
  auto n = ep.ReceiveBatch(out, 64);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_TRUE(out.empty());
}

TEST(AUdpEndpoint, ReceivesNoMoreThanAskedPerCall) {
  UdpEndpoint ep = MustBind(Address::Ipv4Loopback(0));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(*ep.SendTo(ep.local_address(), Bytes("x")), 1u);
  ASSERT_EQ(ReceiveUntil(ep, 3, 3).size(), 3u);
  EXPECT_EQ(ReceiveUntil(ep, 7).size(), 7u);
}

TEST(AUdpEndpoint, KeepsSendingWithoutErrorsWhenTheReceiverOverflows) {
  EndpointOptions small;
  small.receive_buffer_bytes = 1;  // kernel minimum: the receiver must drop
  UdpEndpoint rx = MustBind(Address::Ipv4Loopback(0), small);
  UdpEndpoint tx = MustBind(Address::Ipv4Loopback(0));
  std::vector<uint8_t> payload(1000, 0xab);
  std::vector<OutgoingDatagram> batch(2000, OutgoingDatagram{rx.local_address(), payload});
  auto sent = tx.SendBatch(batch);
  ASSERT_TRUE(sent.ok()) << sent.error().message();
  EXPECT_EQ(*sent, batch.size());
  auto got = ReceiveUntil(rx, 1);
  EXPECT_GE(got.size(), 1u);
  std::vector<ReceivedDatagram> rest;
  size_t total = got.size();
  while (*rx.ReceiveBatch(rest, 64) > 0) total += rest.size();
  EXPECT_LT(total, batch.size()) << "the receive buffer should have overflowed";
}

TEST(AUdpEndpoint, FlagsDatagramsLongerThanItsSlots) {
  EndpointOptions o;
  o.max_datagram_bytes = 100;
  UdpEndpoint ep = MustBind(Address::Ipv4Loopback(0), o);
  std::vector<uint8_t> big(300, 7);
  ASSERT_EQ(*ep.SendTo(ep.local_address(), big), 1u);
  auto got = ReceiveUntil(ep, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].truncated);
  EXPECT_EQ(got[0].data.size(), 100u);
}

TEST(AUdpEndpoint, ReportsTheSocketBufferSizesTheKernelGranted) {
  EndpointOptions o;
  o.receive_buffer_bytes = 1 << 20;
  o.send_buffer_bytes = 1 << 20;
  UdpEndpoint ep = MustBind(Address::Ipv4Loopback(0), o);
  EXPECT_GT(ep.receive_buffer_bytes(), 0);
  EXPECT_GT(ep.send_buffer_bytes(), 0);
  if (geteuid() == 0) {  // SO_*BUFFORCE: the request is honoured (Linux reports it doubled)
    EXPECT_EQ(ep.receive_buffer_bytes(), 2 << 20);
    EXPECT_EQ(ep.send_buffer_bytes(), 2 << 20);
  }
}

TEST(AUdpEndpoint, StillWorksAfterBeingMoved) {
  UdpEndpoint first = MustBind(Address::Ipv4Loopback(0));
  UdpEndpoint moved = std::move(first);
  ASSERT_EQ(*moved.SendTo(moved.local_address(), Bytes("m")), 1u);
  EXPECT_EQ(ReceiveUntil(moved, 1).size(), 1u);
}

// 10 full segments of 1000 B and a short last one of 500 B.
std::vector<uint8_t> SegmentedPayload() {
  std::vector<uint8_t> buf(10 * 1000 + 500);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint8_t>(i / 1000 + 1);
  return buf;
}

void ExpectSegments(const std::vector<Copy>& got, const std::vector<uint8_t>& buf) {
  ASSERT_EQ(got.size(), 11u);
  for (size_t i = 0; i < got.size(); ++i) {
    size_t len = i < 10 ? 1000 : 500;
    std::vector<uint8_t> want(buf.begin() + i * 1000, buf.begin() + i * 1000 + len);
    EXPECT_EQ(got[i].data, want) << "segment " << i;
  }
}

TEST(AUdpEndpoint, SendsOneBufferAsManyDatagramsWithGso) {
  UdpEndpoint rx = MustBind(Address::Ipv4Loopback(0));
  UdpEndpoint tx = MustBind(Address::Ipv4Loopback(0));
  auto buf = SegmentedPayload();
  auto sent = tx.SendSegmented(rx.local_address(), buf, 1000);
  ASSERT_TRUE(sent.ok()) << sent.error().message();
  EXPECT_EQ(*sent, 11u);
  ExpectSegments(ReceiveUntil(rx, 11), buf);
}

TEST(AUdpEndpoint, SplitsGroCoalescedDatagramsBackApart) {
  EndpointOptions o;
  o.gro = true;
  UdpEndpoint rx = MustBind(Address::Ipv6Any(0), o);
  ASSERT_TRUE(rx.gro_enabled());
  UdpEndpoint tx = MustBind(Address::Ipv4Loopback(0));
  auto buf = SegmentedPayload();
  ASSERT_EQ(*tx.SendSegmented(Target(rx, false), buf, 1000), 11u);
  // The kernel hands the GSO send over whole, in one receive slot, and
  // ReceiveBatch must cut it back into 11 datagrams.
  pollfd p{rx.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  std::vector<ReceivedDatagram> one_slot;
  ASSERT_EQ(*rx.ReceiveBatch(one_slot, 1), 11u);
  std::vector<Copy> got;
  for (const auto& d : one_slot) got.push_back(Copy{d.from, {d.data.begin(), d.data.end()}, d.truncated});
  ExpectSegments(got, buf);
  for (const auto& d : got) EXPECT_EQ(d.from, tx.local_address());
}

TEST(AUdpEndpoint, RefusesASegmentedSendBeyondTheKernelLimits) {
  UdpEndpoint tx = MustBind(Address::Ipv4Loopback(0));
  std::vector<uint8_t> buf(65 * 100);
  EXPECT_EQ(tx.SendSegmented(Address::Ipv4Loopback(9), buf, 100).error().code(),
            Errc::kInvalidArgument);
  EXPECT_FALSE(tx.SendSegmented(Address::Ipv4Loopback(9), buf, 0).ok());
  EXPECT_FALSE(tx.SendSegmented(Address::Ipv4Loopback(9), {}, 100).ok());
}

TEST(AUdpEndpoint, RefusesToBindAnAddressInUseOrNoAddress) {
  UdpEndpoint a = MustBind(Address::Ipv4Loopback(0));
  auto b = UdpEndpoint::Bind(a.local_address());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find("bind 127.0.0.1:"), std::string::npos) << b.error().message();
  EXPECT_FALSE(UdpEndpoint::Bind(Address()).ok());
}

}  // namespace
}  // namespace nxt::net
