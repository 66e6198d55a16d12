#include "net/address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <unordered_map>

namespace nxt::net {

inline void PrintTo(const Address& a, std::ostream* os) { *os << a.ToString(); }

namespace {

Address MustParse(std::string_view text) {
  auto a = Address::Parse(text);
  EXPECT_TRUE(a.ok()) << text << ": " << (a.ok() ? "" : a.error().message());
  return a.ok() ? *a : Address();
}

struct FormatCase {
  const char* input;
  const char* formatted;
  int family;
  uint16_t port;
};

TEST(AnAddress, ParsesAndFormatsNumericHostsWithPorts) {
  const FormatCase cases[] = {
      {"127.0.0.1:5467", "127.0.0.1:5467", AF_INET, 5467},
      {"0.0.0.0:5467", "0.0.0.0:5467", AF_INET, 5467},
      {"10.1.2.3:0", "10.1.2.3:0", AF_INET, 0},
      {"[::1]:5467", "[::1]:5467", AF_INET6, 5467},
      {"[::]:5467", "[::]:5467", AF_INET6, 5467},
      {"[2001:db8::7]:65535", "[2001:db8::7]:65535", AF_INET6, 65535},
      {"[fe80::1%2]:9", "[fe80::1%2]:9", AF_INET6, 9},
      // v4-mapped IPv6 is the same peer as plain IPv4.
      {"[::ffff:192.0.2.1]:53", "192.0.2.1:53", AF_INET, 53},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    Address a = MustParse(c.input);
    EXPECT_EQ(a.ToString(), c.formatted);
    EXPECT_EQ(a.family(), c.family);
    EXPECT_EQ(a.port(), c.port);
    EXPECT_EQ(MustParse(a.ToString()), a) << "formatting must round-trip";
  }
}

TEST(AnAddress, UsesTheDefaultPortOnlyWhenNoneIsGiven) {
  EXPECT_EQ(Address::Parse("127.0.0.1", 5467)->ToString(), "127.0.0.1:5467");
  EXPECT_EQ(Address::Parse("[::1]", 5467)->ToString(), "[::1]:5467");
  EXPECT_EQ(Address::Parse("::1", 5467)->ToString(), "[::1]:5467");
  EXPECT_EQ(Address::Parse("127.0.0.1:80", 5467)->ToString(), "127.0.0.1:80");
  EXPECT_EQ(Address::Parse("[::]:80", 5467)->ToString(), "[::]:80");
}

struct BadCase {
  const char* input;
  const char* message;  // the whole error message
};

TEST(AnAddress, RejectsMalformedTextWithAClearReason) {
  const BadCase cases[] = {
      {"", "bad address '': empty"},
      {"[::1", "bad address '[::1': missing ']'"},
      {"[::1]x", "bad address '[::1]x': unexpected text after ']'"},
      {"127.0.0.1", "bad address '127.0.0.1': missing port"},
      {"127.0.0.1:", "bad address '127.0.0.1:': missing port"},
      {"[::1]:", "bad address '[::1]:': missing port"},
      {"::1", "bad address '::1': missing port (write IPv6 as [addr]:port)"},
      {"127.0.0.1:65536", "bad address '127.0.0.1:65536': port out of range"},
      {"127.0.0.1:99999999999999999999", "bad address '127.0.0.1:99999999999999999999': port out of range"},
      {"127.0.0.1:-1", "bad address '127.0.0.1:-1': bad port '-1'"},
      {"127.0.0.1:http", "bad address '127.0.0.1:http': bad port 'http'"},
      {"localhost:5467", "bad address 'localhost:5467': host must be a numeric IPv4 or IPv6 address"},
      {"1.2.3:5467", "bad address '1.2.3:5467': host must be a numeric IPv4 or IPv6 address"},
      {"256.0.0.1:5467", "bad address '256.0.0.1:5467': host must be a numeric IPv4 or IPv6 address"},
      {":5467", "bad address ':5467': missing host"},
      {"[]:5467", "bad address '[]:5467': missing host"},
      {"[1.2.3.4]:5467", "bad address '[1.2.3.4]:5467': not a numeric IPv6 address"},
      {"[::1%]:5467", "bad address '[::1%]:5467': empty IPv6 scope after '%'"},
      {"[fe80::1%nxt-no-such-if]:1", "bad address '[fe80::1%nxt-no-such-if]:1': unknown interface 'nxt-no-such-if'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto a = Address::Parse(c.input);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code(), Errc::kInvalidArgument);
    EXPECT_EQ(a.error().message(), c.message);
  }
}

TEST(AnAddress, TreatsAV4MappedSockaddrAsThePlainIpv4Peer) {
  sockaddr_in6 mapped{};
  mapped.sin6_family = AF_INET6;
  mapped.sin6_port = htons(4000);
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
  auto a = Address::FromSockaddr(reinterpret_cast<sockaddr*>(&mapped), sizeof mapped);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_ipv4());
  EXPECT_EQ(*a, Address::Ipv4Loopback(4000));
  EXPECT_EQ(a->Hash(), Address::Ipv4Loopback(4000).Hash());
  EXPECT_EQ(a->ToString(), "127.0.0.1:4000");
}

TEST(AnAddress, ConvertsIpv4ToV4MappedForADualStackSocket) {
  sockaddr_storage out;
  ASSERT_EQ(Address::Ipv4Loopback(7).ToIpv6Sockaddr(&out), sizeof(sockaddr_in6));
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(out);
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
  EXPECT_STREQ(text, "::ffff:127.0.0.1");
  EXPECT_EQ(ntohs(v6.sin6_port), 7);
}

TEST(AnAddress, RejectsSockaddrsOfOtherFamilies) {
  sockaddr_storage s{};
  s.ss_family = AF_UNIX;
  EXPECT_FALSE(Address::FromSockaddr(reinterpret_cast<sockaddr*>(&s), sizeof s).ok());
  EXPECT_FALSE(Address::FromSockaddr(reinterpret_cast<sockaddr*>(&s), 1).ok());
}

TEST(AnAddress, KeysAnUnorderedMapByHostAndPort) {
  std::unordered_map<Address, int> peers;
  peers[MustParse("127.0.0.1:1")] = 1;
  peers[MustParse("127.0.0.1:2")] = 2;
  peers[MustParse("[::1]:1")] = 3;
  peers[MustParse("[::ffff:127.0.0.1]:1")] = 4;  // same peer as the first
  EXPECT_EQ(peers.size(), 3u);
  EXPECT_EQ(peers[Address::Ipv4Loopback(1)], 4);
  EXPECT_EQ(peers[Address::Ipv6Loopback(1)], 3);
  EXPECT_NE(MustParse("[fe80::1%2]:1"), MustParse("[fe80::1%3]:1"));
  EXPECT_NE(Address::Ipv4Any(1), Address::Ipv6Any(1));
}

TEST(AnAddress, KnowsWildcardAndLoopbackAndPortChanges) {
  EXPECT_TRUE(Address::Ipv4Any(0).IsUnspecified());
  EXPECT_TRUE(Address::Ipv6Any(0).IsUnspecified());
  EXPECT_FALSE(Address::Ipv4Loopback(0).IsUnspecified());
  EXPECT_TRUE(MustParse("127.9.9.9:1").IsLoopback());
  EXPECT_TRUE(Address::Ipv6Loopback(1).IsLoopback());
  EXPECT_FALSE(MustParse("10.0.0.1:1").IsLoopback());
  EXPECT_EQ(Address::Ipv6Loopback(1).WithPort(99).ToString(), "[::1]:99");
  EXPECT_FALSE(Address().valid());
  EXPECT_EQ(Address().ToString(), "unspecified");
  EXPECT_EQ(Address().sockaddr_len(), 0u);
}

}  // namespace
}  // namespace nxt::net
