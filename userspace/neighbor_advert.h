// Unsolicited Neighbour Advertisements (RFC 4861 4.4, 7.2.6) that a new
// VRRP master sends for its VIP, so hosts move their neighbour entry to
// the virtual MAC at once instead of after their reachable time. Pure.
#pragma once

#include <cstdint>
#include <vector>

#include "userspace/addr.h"
#include "userspace/vrrp_names.h"

namespace meshfwd {

inline const Ipv6Addr kAllNodes = *Ipv6Addr::parse("ff02::1");

// The ICMPv6 message (type 136, R=1 S=0 O=1, target, a target link-layer
// address option) with its checksum over the pseudo-header source ->
// ff02::1. The kernel recomputes it on a raw ICMPv6 socket; tests check it.
std::vector<uint8_t> buildUnsolicitedNa(const Ipv6Addr& target, const vrrp::MacAddr& mac, const Ipv6Addr& source);

}  // namespace meshfwd
