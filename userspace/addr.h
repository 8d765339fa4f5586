// IPv6 addresses and prefixes as the control plane handles them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshfwd {

struct Ipv6Addr {
  std::array<uint8_t, 16> bytes{};

  // Parses textual form; returns nullopt when it is not an IPv6 address.
  static std::optional<Ipv6Addr> parse(std::string_view text);
  std::string str() const;
  bool isLinkLocal() const { return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80; }
  bool isMulticast() const { return bytes[0] == 0xff; }
  auto operator<=>(const Ipv6Addr&) const = default;
};

struct Ipv6Prefix {
  Ipv6Addr addr;  // host bits always zero
  uint8_t length = 0;

  // "fd00:1:2::/48". Fails (with `error` set) on a bad address, a missing
  // or out-of-range length, or host bits set ("fd00::1/48").
  static std::optional<Ipv6Prefix> parse(std::string_view text, std::string* error = nullptr);
  std::string str() const;
  bool contains(const Ipv6Addr& a) const;
  bool contains(const Ipv6Prefix& p) const { return p.length >= length && contains(p.addr); }
  auto operator<=>(const Ipv6Prefix&) const = default;
};

}  // namespace meshfwd
