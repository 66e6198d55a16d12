// SendQueue groups datagrams into GSO runs (pure logic, no socket) and a run
// sent on loopback arrives as the separate datagrams it was made of (this
// module's job is sockets; the wait polls the fd with a deadline).
#include "net/send_queue.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <cstring>
#include <string>
#include <vector>

namespace nxt::net {
namespace {

Address Loopback(uint16_t port) { return *Address::Parse("127.0.0.1:" + std::to_string(port)); }

void Put(SendQueue& q, const Address& to, size_t len, uint8_t fill) {
  std::memset(q.Slot(), fill, len);
  q.Commit(to, len);
}

TEST(ASendQueue, RunsEqualSizedDatagramsToOnePeerTogether) {
  SendQueue q(16, 100, true);
  for (int i = 0; i < 5; ++i) Put(q, Loopback(1), 100, 1);
  EXPECT_EQ(q.datagrams(), 5u);
  EXPECT_EQ(q.messages(), 1u);
}

TEST(ASendQueue, EndsARunWithAShorterDatagram) {
  SendQueue q(16, 100, true);
  Put(q, Loopback(1), 100, 1);
  Put(q, Loopback(1), 100, 1);
  Put(q, Loopback(1), 60, 1);   // joins as the run's short last segment
  Put(q, Loopback(1), 100, 1);  // cannot follow a short segment: new run
  EXPECT_EQ(q.messages(), 2u);
}

TEST(ASendQueue, StartsANewRunForALongerDatagramOrAnotherPeer) {
  SendQueue q(16, 100, true);
  Put(q, Loopback(1), 80, 1);
  Put(q, Loopback(1), 100, 1);  // longer than the run's segment size
  Put(q, Loopback(2), 100, 1);  // another peer
  EXPECT_EQ(q.messages(), 3u);
}

TEST(ASendQueue, CapsARunAtTheKernelsSegmentLimits) {
  SendQueue q(200, 1400, true);
  for (int i = 0; i < 100; ++i) Put(q, Loopback(1), 1400, 1);
  EXPECT_EQ(q.messages(), 3u);  // 65507 bytes per run: 46 + 46 + 8
  SendQueue small(200, 100, true);
  for (int i = 0; i < 100; ++i) Put(small, Loopback(1), 100, 1);
  EXPECT_EQ(small.messages(), 2u);  // 64 + 36
}

TEST(ASendQueue, SendsEveryDatagramAloneWithoutGso) {
  SendQueue q(16, 100, false);
  for (int i = 0; i < 5; ++i) Put(q, Loopback(1), 100, 1);
  EXPECT_EQ(q.messages(), 5u);
  EXPECT_FALSE(q.full());
}

TEST(ASendQueue, DeliversARunAsTheDatagramsItWasMadeOf) {
  auto rx = UdpEndpoint::Bind(*Address::Parse("127.0.0.1:0"));
  auto tx = UdpEndpoint::Bind(*Address::Parse("127.0.0.1:0"));
  ASSERT_TRUE(rx.ok() && tx.ok());
  SendQueue q(16, 300, true);
  for (uint8_t i = 0; i < 6; ++i) Put(q, rx->local_address(), i == 5 ? 120 : 300, i);
  ASSERT_EQ(q.messages(), 1u);
  ASSERT_TRUE(q.Flush(*tx));
  EXPECT_TRUE(q.empty());

  std::vector<std::vector<uint8_t>> got;
  std::vector<ReceivedDatagram> batch;
  for (int spins = 0; got.size() < 6 && spins < 100; ++spins) {
    pollfd p{rx->fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    ASSERT_TRUE(rx->ReceiveBatch(batch, 64).ok());
    for (const auto& d : batch) got.emplace_back(d.data.begin(), d.data.end());
  }
  ASSERT_EQ(got.size(), 6u);
  for (uint8_t i = 0; i < 6; ++i) {
    EXPECT_EQ(got[i].size(), i == 5 ? 120u : 300u);
    EXPECT_EQ(got[i][0], i);
  }
}

}  // namespace
}  // namespace nxt::net
