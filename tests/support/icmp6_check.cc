#include "tests/support/icmp6_check.h"

#include <algorithm>

namespace meshfwd::test {

std::optional<Icmp6Error> parseIcmp6Error(std::span<const uint8_t> frame, size_t l2len, std::string& why) {
  if (frame.size() < l2len + 40 + 8) {
    why = "frame too short for IPv6 + ICMPv6: " + std::to_string(frame.size());
    return std::nullopt;
  }
  auto ip = frame.subspan(l2len);
  if ((ip[0] >> 4) != 6) {
    why = "IP version is " + std::to_string(ip[0] >> 4);
    return std::nullopt;
  }
  size_t payloadLen = (size_t(ip[4]) << 8) | ip[5];
  if (40 + payloadLen != ip.size()) {
    why = "payload length " + std::to_string(payloadLen) + " but " + std::to_string(ip.size() - 40) +
          " bytes follow the header";
    return std::nullopt;
  }
  if (ip.size() > 1280) {
    why = "error packet is " + std::to_string(ip.size()) + " bytes, more than the IPv6 minimum MTU";
    return std::nullopt;
  }
  if (ip[6] != kProtoIcmp6) {
    why = "next header " + std::to_string(ip[6]) + ", expected 58";
    return std::nullopt;
  }
  Icmp6Error e;
  e.hopLimit = ip[7];
  std::copy_n(ip.begin() + 8, 16, e.src.b.begin());
  std::copy_n(ip.begin() + 24, 16, e.dst.b.begin());
  auto icmp = ip.subspan(40);
  uint16_t carried = static_cast<uint16_t>((icmp[2] << 8) | icmp[3]);
  Bytes zeroed(icmp.begin(), icmp.end());
  zeroed[2] = zeroed[3] = 0;
  uint16_t expect = ipv6UpperChecksum(e.src, e.dst, kProtoIcmp6, zeroed);
  if (carried != expect) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "ICMPv6 checksum 0x%04x, expected 0x%04x", carried, expect);
    why = buf;
    return std::nullopt;
  }
  e.type = icmp[0];
  e.code = icmp[1];
  if (e.type >= 128) {
    why = "type " + std::to_string(e.type) + " is not an error";
    return std::nullopt;
  }
  e.param = (uint32_t(icmp[4]) << 24) | (uint32_t(icmp[5]) << 16) | (uint32_t(icmp[6]) << 8) | icmp[7];
  e.quote.assign(icmp.begin() + 8, icmp.end());
  return e;
}

}  // namespace meshfwd::test
