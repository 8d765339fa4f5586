// The machine's links, IPv6 addresses and IPv6 routes as plain data, read
// once through libnl-3 (rtnetlink dumps). Everything that decides from
// them (route_sync, local_addrs, interface resolution) takes a NetSnapshot,
// so it is unit-tested with hand-written snapshots; readNetSnapshot() is
// the only code here that opens a socket. The daemon will call it again on
// netlink events and feed the same pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd {

struct LinkFacts {
  uint32_t ifindex = 0;
  std::string name;
  uint32_t mtu = 0;
  unsigned arpType = 0;            // ARPHRD_*
  std::array<uint8_t, 6> mac{};    // zero on L3 devices
  bool up = false;
  std::string kind;                // rtnetlink "kind": "wireguard", "veth", "tun", ... ("" if none)
};

struct AddrFacts {
  uint32_t ifindex = 0;
  Ipv6Addr addr;
  uint8_t prefixLength = 0;
  bool tentative = false;   // DAD not finished: not usable as a source yet
  bool deprecated = false;
};

struct RouteFacts {
  Ipv6Prefix dst;
  uint32_t table = 254;             // RT_TABLE_MAIN
  uint8_t type = 1;                 // RTN_UNICAST
  uint32_t priority = 0;            // the route metric; lower wins
  std::vector<uint32_t> oifs;       // nexthops' output interfaces, in kernel order
  uint32_t mtu = 0;                 // RTAX_MTU metric; 0 when not set
};

struct NetSnapshot {
  std::vector<LinkFacts> links;
  std::vector<AddrFacts> addrs;     // IPv6 only
  std::vector<RouteFacts> routes;   // IPv6 only

  const LinkFacts* linkByName(const std::string& name) const;
  const LinkFacts* linkByIndex(uint32_t ifindex) const;
};

// Dumps links, IPv6 addresses and IPv6 routes of the current network
// namespace. nullopt with `error` set when netlink fails. Without routes
// (`withRoutes` false) it stays cheap however large the routing table is.
std::optional<NetSnapshot> readNetSnapshot(std::string* error, bool withRoutes = true);

}  // namespace meshfwd
