// nxt_net: UDP sockets and socket addresses. This module owns address parsing
// and formatting and the non-blocking UDP endpoint (dual-stack bind, socket
// buffer sizing, batched send/receive, optional GSO/GRO). It moves bytes only:
// it must never parse datagram contents, keep protocol state, run an event
// loop, sleep or log — callers poll fd() and decide what bytes mean.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nxt::net {

// An IPv4 or IPv6 socket address (numeric only, no DNS). A value type: cheap
// to copy, comparable, hashable. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d,
// what a dual-stack socket reports for IPv4 peers) are stored as plain IPv4,
// so one peer has one Address whichever socket it arrived on.
class Address {
 public:
  Address();  // AF_UNSPEC: "no address"; valid() is false

  // Accepts "127.0.0.1:5467", "[::1]:5467", "[::]:5467", "0.0.0.0:5467",
  // "[fe80::1%eth0]:5467". Hosts must be numeric. Errors read
  // "bad address '[::1': missing ']'".
  static Result<Address> Parse(std::string_view text);
  // Same, but the port may be left out ("127.0.0.1", "[::1]", "::1") and then
  // is `default_port`.
  static Result<Address> Parse(std::string_view text, uint16_t default_port);
  // From a kernel-filled sockaddr (recvfrom, getsockname). Rejects other families.
  static Result<Address> FromSockaddr(const sockaddr* sa, socklen_t len);

  static Address Ipv4Loopback(uint16_t port);  // 127.0.0.1:port
  static Address Ipv6Loopback(uint16_t port);  // [::1]:port
  static Address Ipv4Any(uint16_t port);       // 0.0.0.0:port
  static Address Ipv6Any(uint16_t port);       // [::]:port

  bool valid() const { return family() != AF_UNSPEC; }
  int family() const { return storage_.ss_family; }  // AF_INET, AF_INET6 or AF_UNSPEC
  bool is_ipv4() const { return family() == AF_INET; }
  bool is_ipv6() const { return family() == AF_INET6; }
  uint16_t port() const;                     // host byte order
  Address WithPort(uint16_t port) const;
  bool IsUnspecified() const;                // 0.0.0.0 or ::
  bool IsLoopback() const;                   // 127/8 or ::1

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t sockaddr_len() const;
  const sockaddr_storage& storage() const { return storage_; }
  // IPv4 addresses as ::ffff:a.b.c.d, for sending through an AF_INET6 socket;
  // IPv6 addresses unchanged. Returns the length written into `out`.
  socklen_t ToIpv6Sockaddr(sockaddr_storage* out) const;

  // "127.0.0.1:5467", "[::1]:5467", "[fe80::1%3]:5467"; "unspecified" if !valid().
  std::string ToString() const;

  bool operator==(const Address& other) const;
  size_t Hash() const;

 private:
  sockaddr_storage storage_;
};

}  // namespace nxt::net

template <>
struct std::hash<nxt::net::Address> {
  size_t operator()(const nxt::net::Address& a) const noexcept { return a.Hash(); }
};
