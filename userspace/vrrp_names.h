// Names both halves of the edge companion derive from the config, so the
// VRRP router and the RA sender agree without talking to each other: the
// macvlan that carries the virtual MAC and the VIP, and that MAC.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace meshfwd::vrrp {

using MacAddr = std::array<uint8_t, 6>;

// RFC 5798 7.3: the IPv6 virtual router MAC is 00:00:5e:00:02:<VRID>.
inline MacAddr virtualMac(uint8_t vrid) { return {0x00, 0x00, 0x5e, 0x00, 0x02, vrid}; }

inline std::string formatMac(const MacAddr& mac) {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return text;
}

// "<lan>.vr<vrid>", the LAN name shortened so the whole fits IFNAMSIZ-1
// (15) characters. Derived from the LAN, not fixed like keepalived's
// "vrrp.<vrid>", so two LANs with the same VRID on one box do not collide.
inline std::string vrrpMacvlanName(const std::string& lan, uint8_t vrid) {
  constexpr size_t kMaxIfName = 15;
  std::string suffix = ".vr" + std::to_string(vrid);
  return lan.substr(0, kMaxIfName - suffix.size()) + suffix;
}

}  // namespace meshfwd::vrrp
