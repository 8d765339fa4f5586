// The sockets of the VRRP router, on the macvlan: VRRP adverts (IPv6 next
// header 112, ff02::12) and unsolicited neighbour advertisements. Leaving
// through the macvlan gives them the virtual MAC as source MAC.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd::vrrp {

struct ReceivedPacket {
  std::vector<uint8_t> message;  // the IPv6 payload
  uint8_t hopLimit = 0;
  Ipv6Addr source;
  Ipv6Addr destination;
};

class AdvertSocket {
 public:
  AdvertSocket() = default;
  ~AdvertSocket();
  AdvertSocket(const AdvertSocket&) = delete;
  AdvertSocket& operator=(const AdvertSocket&) = delete;

  // Raw socket for protocol 112 bound to `ifname`, joined to ff02::12,
  // hop limit 255 and traffic class 0xc0 (RFC 5798 5.1.2.2, RFC 9568).
  std::string open(const std::string& ifname, int ifindex);
  void close();
  int fd() const { return fd_; }
  // From `source` (pinned with IPV6_PKTINFO) to ff02::12. "" or an error.
  std::string send(std::span<const uint8_t> message, const Ipv6Addr& source);
  // One pending packet, nullopt when none (EAGAIN) or it lacks ancillary data.
  std::optional<ReceivedPacket> receive();

 private:
  int fd_ = -1;
  int ifindex_ = 0;
};

class NeighborAdvertSocket {
 public:
  NeighborAdvertSocket() = default;
  ~NeighborAdvertSocket();
  NeighborAdvertSocket(const NeighborAdvertSocket&) = delete;
  NeighborAdvertSocket& operator=(const NeighborAdvertSocket&) = delete;

  // Raw ICMPv6 on `ifname`, hop limit 255 (RFC 4861 7.1.2 discards others).
  std::string open(const std::string& ifname, int ifindex);
  void close();
  // To ff02::1 from `source`; the kernel fills in the checksum.
  std::string send(std::span<const uint8_t> message, const Ipv6Addr& source);

 private:
  int fd_ = -1;
  int ifindex_ = 0;
};

}  // namespace meshfwd::vrrp
