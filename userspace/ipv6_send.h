// Sending an IPv6 datagram from a chosen source address out of a chosen
// interface (IPV6_PKTINFO), as the RA sender and VRRP need: both speak from
// an address (the VIP, the copied link-local) that routing alone would not
// pick.
#pragma once

#include <cstdint>
#include <span>

#include "userspace/addr.h"

namespace meshfwd {

// 0 or -errno from sendmsg().
int sendFromSource(int fd, int ifindex, std::span<const uint8_t> message, const Ipv6Addr& source,
                   const Ipv6Addr& destination);

}  // namespace meshfwd
