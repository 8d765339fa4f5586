// Router Advertisement and Router Solicitation wire format (RFC 4861 4.1,
// 4.2, 4.6; RFC 4191 2.3; RFC 8106 5). Pure functions: settings in, bytes
// out, so every option is checked against golden bytes without a socket.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd::ra {

using Bytes = std::vector<uint8_t>;
using MacAddr = std::array<uint8_t, 6>;

// RFC 4191 2.1 preference values as they appear in the two Prf bits.
enum class RoutePreference : uint8_t { Medium = 0, High = 1, Low = 3 };

struct PrefixInfo {
  Ipv6Prefix prefix;
  bool onLink = true;          // L
  bool autonomous = true;      // A
  bool routerAddress = false;  // R (RFC 6275)
  uint32_t validLifetime = 86400;
  uint32_t preferredLifetime = 14400;
};

struct RouteInfo {
  Ipv6Prefix prefix;
  RoutePreference preference = RoutePreference::High;
  uint32_t lifetime = 90;  // seconds; 3 x MaxRtrAdvInterval by default
  // Option length in 8-octet units: 0 = the shortest that holds the
  // prefix (2 for a /48, as radvd >= 2.20 sends; Debian's radvd 2.19
  // always sends 3). Both are valid (RFC 4191 2.3).
  uint8_t forcedLength = 0;
};

struct DnsServers {
  std::vector<Ipv6Addr> servers;
  uint32_t lifetime = 0;
};

struct DnsSearchList {
  std::vector<std::string> domains;
  uint32_t lifetime = 0;
};

struct AdvertSettings {
  uint8_t curHopLimit = 64;
  bool managed = false;          // M
  bool otherConfig = false;      // O
  uint16_t routerLifetime = 0;   // 0: not a default router (the mesh design)
  uint32_t reachableTimeMs = 0;  // 0: unspecified
  uint32_t retransTimerMs = 0;
  std::optional<MacAddr> sourceLinkLayer;
  std::optional<uint32_t> mtu;
  std::vector<PrefixInfo> prefixes;
  std::vector<RouteInfo> routes;
  std::optional<DnsServers> rdnss;
  std::optional<DnsSearchList> dnssl;
};

// The ICMPv6 message (type 134) with a zero checksum: the kernel fills the
// checksum for IPPROTO_ICMPV6 sockets. Throws std::invalid_argument for
// values the wire format cannot carry (a domain label over 63 bytes).
Bytes buildRouterAdvert(const AdvertSettings& settings);

// Fills the ICMPv6 checksum for the given IPv6 source and destination (for
// captures and comparisons; the send path leaves it to the kernel).
void fillIcmp6Checksum(Bytes& message, const Ipv6Addr& src, const Ipv6Addr& dst);

// Why a received Router Solicitation is ignored (RFC 4861 6.1.1).
enum class SolicitVerdict {
  Accept,
  BadHopLimit,        // IP hop limit != 255
  BadCode,            // ICMP code != 0
  TooShort,           // ICMP length < 8
  BadOptionLength,    // an option with length 0 or running past the end
  UnspecifiedWithSlla // unspecified source carrying a source link-layer option
};

struct Solicitation {
  SolicitVerdict verdict = SolicitVerdict::Accept;
  std::optional<MacAddr> sourceLinkLayer;
};

// `message` is the ICMPv6 message (type 133), `hopLimit` the IPv6 hop limit
// it arrived with (IPV6_RECVHOPLIMIT).
Solicitation parseRouterSolicit(std::span<const uint8_t> message, uint8_t hopLimit, const Ipv6Addr& source);

const char* solicitVerdictName(SolicitVerdict v);

}  // namespace meshfwd::ra
