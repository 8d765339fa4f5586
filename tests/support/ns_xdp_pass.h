// A pass-through XDP program for the far end of a veth. XDP_TX or a
// redirect into a veth fails (xdp_tx_errors) unless the peer veth has an XDP
// program (DESIGN.md 5), so a host on the edge's LAN needs one for the
// edge's XDP-built ICMPv6 errors to reach it.
#pragma once

#include <string>

namespace meshfwd::test {

// Loads `return XDP_PASS` and attaches it (native mode) to `ifname` in
// `netns`. The interface keeps the program until it is deleted.
void attachXdpPass(const std::string& netns, const std::string& ifname);

}  // namespace meshfwd::test
