// Just enough of the pcap file format to read what tcpdump wrote on a
// routing tunnel (a TUN: raw IP, no link header), and a summary of an IPv6
// packet's outer headers for the "only WireGuard UDP crosses the relay"
// check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/packet.h"

namespace meshfwd::test {

struct PcapPacket {
  Bytes data;  // from the IPv6 header on
};

// Throws std::runtime_error for a file that is not a pcap with a link type
// this reader knows (raw IP, Ethernet, Linux cooked).
std::vector<PcapPacket> readPcap(const std::string& path);

struct Ipv6Summary {
  In6 src, dst;
  uint8_t nextHeader = 0;
  uint16_t srcPort = 0, dstPort = 0;  // UDP only
  // The UDP payload is a WireGuard message: type 1-4 and three zero bytes.
  bool looksLikeWireguard = false;
  std::string describe() const;
};

// nullopt when `packet` is not IPv6.
std::optional<Ipv6Summary> parseIpv6Udp(const Bytes& packet);

}  // namespace meshfwd::test
