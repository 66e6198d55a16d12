#include "net/address.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

namespace nxt::net {
namespace {

const sockaddr_in& V4(const sockaddr_storage& s) { return reinterpret_cast<const sockaddr_in&>(s); }
const sockaddr_in6& V6(const sockaddr_storage& s) { return reinterpret_cast<const sockaddr_in6&>(s); }
sockaddr_in& V4(sockaddr_storage& s) { return reinterpret_cast<sockaddr_in&>(s); }
sockaddr_in6& V6(sockaddr_storage& s) { return reinterpret_cast<sockaddr_in6&>(s); }

// ::ffff:a.b.c.d becomes a.b.c.d so an IPv4 peer seen through a dual-stack
// socket compares equal to the same peer seen through an IPv4 socket.
void NormaliseMapped(sockaddr_storage& s) {
  if (s.ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&V6(s).sin6_addr)) return;
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = V6(s).sin6_port;
  std::memcpy(&v4.sin_addr, &V6(s).sin6_addr.s6_addr[12], 4);
  std::memset(&s, 0, sizeof s);
  V4(s) = v4;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Address> Run(std::optional<uint16_t> default_port) {
    if (text_.empty()) return Bad("empty");
    std::string_view host;
    std::optional<std::string_view> port;
    bool want_v6 = false;
    if (text_.front() == '[') {
      size_t close = text_.find(']');
      if (close == std::string_view::npos) return Bad("missing ']'");
      host = text_.substr(1, close - 1);
      std::string_view rest = text_.substr(close + 1);
      if (!rest.empty()) {
        if (rest.front() != ':') return Bad("unexpected text after ']'");
        port = rest.substr(1);
      }
      want_v6 = true;
    } else {
      size_t colons = std::count(text_.begin(), text_.end(), ':');
      if (colons == 1) {
        size_t colon = text_.find(':');
        host = text_.substr(0, colon);
        port = text_.substr(colon + 1);
      } else {
        host = text_;  // a bare IPv6 address has several colons and no port
        want_v6 = colons > 1;
      }
    }
    uint16_t port_value = 0;
    if (port) {
      NXT_ASSIGN(port_value, ParsePort(*port));
    } else if (default_port) {
      port_value = *default_port;
    } else {
      return Bad(want_v6 && text_.front() != '[' ? "missing port (write IPv6 as [addr]:port)"
                                                 : "missing port");
    }
    return ParseHost(host, want_v6, port_value);
  }

 private:
  Error Bad(std::string_view why) const {
    return Error(Errc::kInvalidArgument,
                 "bad address '" + std::string(text_) + "': " + std::string(why));
  }

  Result<uint16_t> ParsePort(std::string_view p) const {
    if (p.empty()) return Bad("missing port");
    for (char c : p)
      if (c < '0' || c > '9') return Bad("bad port '" + std::string(p) + "'");
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || end != p.data() + p.size() || value > 65535)
      return Bad("port out of range");
    return static_cast<uint16_t>(value);
  }

  Result<Address> ParseHost(std::string_view host, bool want_v6, uint16_t port) const {
    if (host.empty()) return Bad("missing host");
    sockaddr_storage s{};
    if (!want_v6) {
      std::string h(host);
      sockaddr_in& v4 = V4(s);
      if (inet_pton(AF_INET, h.c_str(), &v4.sin_addr) != 1)
        return Bad("host must be a numeric IPv4 or IPv6 address");
      v4.sin_family = AF_INET;
      v4.sin_port = htons(port);
      return FromStorage(s);
    }
    std::string_view scope;
    if (size_t pct = host.find('%'); pct != std::string_view::npos) {
      scope = host.substr(pct + 1);
      host = host.substr(0, pct);
      if (scope.empty()) return Bad("empty IPv6 scope after '%'");
    }
    std::string h(host);
    sockaddr_in6& v6 = V6(s);
    if (inet_pton(AF_INET6, h.c_str(), &v6.sin6_addr) != 1) return Bad("not a numeric IPv6 address");
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    if (!scope.empty()) {
      NXT_ASSIGN(v6.sin6_scope_id, ParseScope(scope));
    }
    return FromStorage(s);
  }

  Result<uint32_t> ParseScope(std::string_view scope) const {
    uint32_t id = 0;
    auto [end, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), id);
    if (ec == std::errc() && end == scope.data() + scope.size()) return id;
    unsigned index = if_nametoindex(std::string(scope).c_str());
    if (index == 0) return Bad("unknown interface '" + std::string(scope) + "'");
    return static_cast<uint32_t>(index);
  }

  static Result<Address> FromStorage(const sockaddr_storage& s) {
    return Address::FromSockaddr(reinterpret_cast<const sockaddr*>(&s), sizeof s);
  }

  std::string_view text_;
};

}  // namespace

Address::Address() { std::memset(&storage_, 0, sizeof storage_); }

Result<Address> Address::Parse(std::string_view text) { return Parser(text).Run(std::nullopt); }

Result<Address> Address::Parse(std::string_view text, uint16_t default_port) {
  return Parser(text).Run(default_port);
}

Result<Address> Address::FromSockaddr(const sockaddr* sa, socklen_t len) {
  Address a;
  if (sa == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t)))
    return Error(Errc::kInvalidArgument, "sockaddr too short");
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in));
    std::memset(V4(a.storage_).sin_zero, 0, sizeof V4(a.storage_).sin_zero);
    return a;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in6));
    V6(a.storage_).sin6_flowinfo = 0;  // not part of the peer's identity
    NormaliseMapped(a.storage_);
    return a;
  }
  return Error(Errc::kUnsupported, "sockaddr family " + std::to_string(sa->sa_family) +
                                       " is not IPv4 or IPv6");
}

Address Address::Ipv4Loopback(uint16_t port) {
  Address a;
  V4(a.storage_).sin_family = AF_INET;
  V4(a.storage_).sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  V4(a.storage_).sin_port = htons(port);
  return a;
}

Address Address::Ipv6Loopback(uint16_t port) {
  Address a;
  V6(a.storage_).sin6_family = AF_INET6;
  V6(a.storage_).sin6_addr = in6addr_loopback;
  V6(a.storage_).sin6_port = htons(port);
  return a;
}

Address Address::Ipv4Any(uint16_t port) {
  Address a;
  V4(a.storage_).sin_family = AF_INET;
  V4(a.storage_).sin_addr.s_addr = htonl(INADDR_ANY);
  V4(a.storage_).sin_port = htons(port);
  return a;
}

Address Address::Ipv6Any(uint16_t port) {
  Address a;
  V6(a.storage_).sin6_family = AF_INET6;
  V6(a.storage_).sin6_addr = in6addr_any;
  V6(a.storage_).sin6_port = htons(port);
  return a;
}

uint16_t Address::port() const {
  if (is_ipv4()) return ntohs(V4(storage_).sin_port);
  if (is_ipv6()) return ntohs(V6(storage_).sin6_port);
  return 0;
}

Address Address::WithPort(uint16_t port) const {
  Address a = *this;
  if (is_ipv4()) V4(a.storage_).sin_port = htons(port);
  if (is_ipv6()) V6(a.storage_).sin6_port = htons(port);
  return a;
}

bool Address::IsUnspecified() const {
  if (is_ipv4()) return V4(storage_).sin_addr.s_addr == htonl(INADDR_ANY);
  if (is_ipv6()) return IN6_IS_ADDR_UNSPECIFIED(&V6(storage_).sin6_addr);
  return false;
}

bool Address::IsLoopback() const {
  if (is_ipv4()) return (ntohl(V4(storage_).sin_addr.s_addr) >> 24) == 127;
  if (is_ipv6()) return IN6_IS_ADDR_LOOPBACK(&V6(storage_).sin6_addr);
  return false;
}

socklen_t Address::sockaddr_len() const {
  if (is_ipv4()) return sizeof(sockaddr_in);
  if (is_ipv6()) return sizeof(sockaddr_in6);
  return 0;
}

socklen_t Address::ToIpv6Sockaddr(sockaddr_storage* out) const {
  std::memset(out, 0, sizeof *out);
  if (is_ipv6()) {
    V6(*out) = V6(storage_);
    return sizeof(sockaddr_in6);
  }
  if (!is_ipv4()) return 0;
  sockaddr_in6& v6 = V6(*out);
  v6.sin6_family = AF_INET6;
  v6.sin6_port = V4(storage_).sin_port;
  v6.sin6_addr.s6_addr[10] = 0xff;
  v6.sin6_addr.s6_addr[11] = 0xff;
  std::memcpy(&v6.sin6_addr.s6_addr[12], &V4(storage_).sin_addr, 4);
  return sizeof(sockaddr_in6);
}

std::string Address::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_ipv4()) {
    inet_ntop(AF_INET, &V4(storage_).sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(port());
  }
  if (is_ipv6()) {
    inet_ntop(AF_INET6, &V6(storage_).sin6_addr, buf, sizeof buf);
    std::string scope;
    if (V6(storage_).sin6_scope_id != 0) scope = "%" + std::to_string(V6(storage_).sin6_scope_id);
    return "[" + std::string(buf) + scope + "]:" + std::to_string(port());
  }
  return "unspecified";
}

bool Address::operator==(const Address& other) const {
  if (family() != other.family()) return false;
  if (is_ipv4())
    return V4(storage_).sin_port == V4(other.storage_).sin_port &&
           V4(storage_).sin_addr.s_addr == V4(other.storage_).sin_addr.s_addr;
  if (is_ipv6())
    return V6(storage_).sin6_port == V6(other.storage_).sin6_port &&
           V6(storage_).sin6_scope_id == V6(other.storage_).sin6_scope_id &&
           std::memcmp(&V6(storage_).sin6_addr, &V6(other.storage_).sin6_addr, 16) == 0;
  return true;  // two unspecified addresses
}

size_t Address::Hash() const {
  // FNV-1a over exactly the fields operator== compares.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  int fam = family();
  mix(&fam, sizeof fam);
  if (is_ipv4()) {
    mix(&V4(storage_).sin_port, 2);
    mix(&V4(storage_).sin_addr, 4);
  } else if (is_ipv6()) {
    mix(&V6(storage_).sin6_port, 2);
    mix(&V6(storage_).sin6_scope_id, 4);
    mix(&V6(storage_).sin6_addr, 16);
  }
  return static_cast<size_t>(h);
}

}  // namespace nxt::net
