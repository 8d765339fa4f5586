// Sending and receiving IPv6 datagrams with their addressing ancillary data
// (IPV6_PKTINFO, hop limit), as the RA sender and VRRP need: both speak from
// an address (the VIP, the copied link-local) that routing alone would not
// pick, and both check what arrived (hop limit 255, the group it was sent to).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd {

// 0 or -errno from sendmsg().
int sendFromSource(int fd, int ifindex, std::span<const uint8_t> message, const Ipv6Addr& source,
                   const Ipv6Addr& destination);

// One datagram from a raw or datagram IPv6 socket that has IPV6_RECVPKTINFO
// and IPV6_RECVHOPLIMIT set; the fields the kernel did not report stay empty.
struct ReceivedDatagram {
  std::vector<uint8_t> payload;  // raw IPv6 sockets deliver the payload only
  Ipv6Addr source;
  int sourceScope = 0;                   // the sender's scope id (link-local senders)
  std::optional<Ipv6Addr> destination;   // IPV6_PKTINFO
  std::optional<int> arrivalIfindex;     // IPV6_PKTINFO
  std::optional<uint8_t> hopLimit;       // IPV6_HOPLIMIT
};

// nullopt when recvmsg() fails (EAGAIN on a drained non-blocking socket).
std::optional<ReceivedDatagram> receiveWithInfo(int fd);

}  // namespace meshfwd
