// The box's own addresses as the datapath needs them: mf_local_addrs (so
// traffic to the router itself is passed to the stack, not forwarded) and
// the source of generated ICMPv6 errors when the config names none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "userspace/addr.h"
#include "userspace/netlink_snapshot.h"

namespace meshfwd {

// Unicast, non-link-local IPv6 addresses of this box, mapped to their
// ifindex. The interfaces in `preferred` (tunnel, LAN) come first, so when
// the box has more than `limit` addresses the ones the datapath sees most
// are kept; `dropped` counts the rest. Every interface counts because the
// kernel delivers any of the box's addresses locally, wherever it arrives.
struct LocalAddrSet {
  std::map<Ipv6Addr, uint32_t> addrs;
  size_t dropped = 0;
};
LocalAddrSet desiredLocalAddrs(const NetSnapshot& net, const std::vector<uint32_t>& preferred, size_t limit);

// The address generated errors come from when the config names none: a
// non-link-local unicast address on `ifindex`, preferring one inside
// `preferIn` (edge: the site /64), then one past DAD (a link that is still
// down keeps its addresses tentative, and attach may come before `ip link
// set up`), then non-deprecated, then the lowest, so reruns agree.
std::optional<Ipv6Addr> pickIcmpSource(const NetSnapshot& net, uint32_t ifindex,
                                       const std::optional<Ipv6Prefix>& preferIn = std::nullopt);

}  // namespace meshfwd
