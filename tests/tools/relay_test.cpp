// Real loopback sockets: the relay's job is sockets. Waits poll with a
// deadline; nothing sleeps.
#include "relay.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace nxt::impair {
namespace {

using Steady = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(5);

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

net::UdpEndpoint MustBind(const net::Address& a) {
  auto ep = net::UdpEndpoint::Bind(a);
  if (!ep.ok()) ADD_FAILURE() << ep.error().message();
  return std::move(ep).value();
}

// Runs the relay (if any) until `ep` has a datagram or the deadline passes.
std::optional<std::pair<net::Address, std::string>> PumpUntilReceived(Relay* relay, net::UdpEndpoint& ep) {
  std::vector<net::ReceivedDatagram> batch;
  auto deadline = Steady::now() + kDeadline;
  while (Steady::now() < deadline) {
    auto n = ep.ReceiveBatch(batch, 1);
    if (n.ok() && *n > 0)
      return std::make_pair(batch[0].from, std::string(batch[0].data.begin(), batch[0].data.end()));
    if (relay != nullptr) {
      auto r = relay->RunOnce(10 * kUsPerMs);
      if (!r.ok()) ADD_FAILURE() << r.error().message();
    } else {
      pollfd p{ep.fd(), POLLIN, 0};
      ::poll(&p, 1, 100);
    }
  }
  return std::nullopt;
}

TEST(ARelay, CarriesDatagramsBothWaysAndGivesEachClientItsOwnUpstreamSource) {
  net::UdpEndpoint server = MustBind(net::Address::Ipv4Loopback(0));
  SystemClock clock;
  RelayConfig config;
  config.listen = net::Address::Ipv4Loopback(0);
  config.upstream = server.local_address();
  auto relay = Relay::Open(config, clock);
  ASSERT_TRUE(relay.ok()) << relay.error().message();
  net::UdpEndpoint alice = MustBind(net::Address::Ipv4Loopback(0));
  net::UdpEndpoint bob = MustBind(net::Address::Ipv4Loopback(0));

  ASSERT_EQ(*alice.SendTo(relay->listen_address(), Bytes("from alice")), 1u);
  auto at_server = PumpUntilReceived(&*relay, server);
  ASSERT_TRUE(at_server.has_value());
  EXPECT_EQ(at_server->second, "from alice");
  net::Address alice_via_relay = at_server->first;
  EXPECT_NE(alice_via_relay, alice.local_address());

  ASSERT_EQ(*bob.SendTo(relay->listen_address(), Bytes("from bob")), 1u);
  auto bob_at_server = PumpUntilReceived(&*relay, server);
  ASSERT_TRUE(bob_at_server.has_value());
  EXPECT_NE(bob_at_server->first, alice_via_relay) << "each client needs a distinct source";

  ASSERT_EQ(*server.SendTo(alice_via_relay, Bytes("to alice")), 1u);
  auto at_alice = PumpUntilReceived(&*relay, alice);
  ASSERT_TRUE(at_alice.has_value());
  EXPECT_EQ(at_alice->second, "to alice");
  EXPECT_EQ(at_alice->first, relay->listen_address());

  RelayStats s = relay->stats();
  EXPECT_EQ(s.up.forwarded, 2u);
  EXPECT_EQ(s.down.forwarded, 1u);
  EXPECT_EQ(s.clients, 2u);
  EXPECT_NE(relay->StatsText().find("up: received=2 forwarded=2 dropped=0"), std::string::npos)
      << relay->StatsText();
}

// Runs the relay until it has taken in `count` datagrams from clients.
void PumpUntilReceivedFromClients(Relay& relay, uint64_t count) {
  auto deadline = Steady::now() + kDeadline;
  while (relay.stats().up.received < count && Steady::now() < deadline) {
    auto r = relay.RunOnce(10 * kUsPerMs);
    if (!r.ok()) ADD_FAILURE() << r.error().message();
  }
  ASSERT_EQ(relay.stats().up.received, count);
}

TEST(ARelay, TakesAFlappingLinkDownAndUpOnItsSchedule) {
  net::UdpEndpoint server = MustBind(net::Address::Ipv4Loopback(0));
  FakeClock clock(0);
  RelayConfig config;
  config.listen = net::Address::Ipv4Loopback(0);
  config.upstream = server.local_address();
  config.flap_up_us = kUsPerSec;  // up 1 s, down 1 s, twice
  config.flap_down_us = kUsPerSec;
  config.flap_cycles = 2;
  auto relay = Relay::Open(config, clock);
  ASSERT_TRUE(relay.ok()) << relay.error().message();
  net::UdpEndpoint alice = MustBind(net::Address::Ipv4Loopback(0));

  for (TimeUs at : {500 * kUsPerMs, 1500 * kUsPerMs, 2500 * kUsPerMs, 3500 * kUsPerMs, 4500 * kUsPerMs}) {
    clock.Set(at);
    uint64_t before = relay->stats().up.received;
    ASSERT_EQ(*alice.SendTo(relay->listen_address(), Bytes("x")), 1u);
    PumpUntilReceivedFromClients(*relay, before + 1);
  }
  RelayStats s = relay->stats();
  EXPECT_EQ(s.up.blackout_dropped, 2u) << relay->StatsText();  // at 1.5 s and 3.5 s
  EXPECT_EQ(s.up.forwarded, 3u);                               // at 0.5, 2.5 and 4.5 s (after the 2 cycles)
  EXPECT_EQ(s.flaps, 2u);
}

// Reads the child's stderr until `needle` shows up or the deadline passes.
std::string ReadUntil(int fd, const std::string& needle) {
  std::string text;
  auto deadline = Steady::now() + kDeadline;
  while (text.find(needle) == std::string::npos && Steady::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

TEST(TheNxtImpairBinary, RelaysAtZeroLossAndPrintsItsStatsOnSigterm) {
  net::UdpEndpoint server = MustBind(net::Address::Ipv4Loopback(0));
  char dir_template[] = "/tmp/nxt-impair-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string port_file = std::string(dir_template) + "/port";
  int err[2];
  ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(err[1], STDERR_FILENO);
    std::string upstream = server.local_address().ToString();
    execl(NXT_IMPAIR_BIN, "nxt-impair", "--listen", "127.0.0.1:0", "--upstream", upstream.c_str(),
          "--loss", "0", "--seed", "7", "--port-file", port_file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(err[1]);
  std::string log = ReadUntil(err[0], "listening on");
  ASSERT_NE(log.find("listening on 127.0.0.1:"), std::string::npos) << log;
  uint16_t port = 0;
  std::ifstream(port_file) >> port;
  ASSERT_NE(port, 0);

  net::UdpEndpoint client = MustBind(net::Address::Ipv4Loopback(0));
  ASSERT_EQ(*client.SendTo(net::Address::Ipv4Loopback(port), Bytes("through")), 1u);
  auto got = PumpUntilReceived(nullptr, server);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->second, "through");

  kill(pid, SIGTERM);
  log += ReadUntil(err[0], "refused_clients=");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(log.find("up: received=1 forwarded=1 dropped=0"), std::string::npos) << log;
  close(err[0]);
  unlink(port_file.c_str());
  rmdir(dir_template);
}

}  // namespace
}  // namespace nxt::impair
