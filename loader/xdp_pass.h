// A two-instruction `return XDP_PASS` program for the far end of a veth:
// XDP_TX or a redirect into a veth is dropped (xdp_tx_errors) unless the
// peer veth has an XDP program (DESIGN.md 5). The lab puts one on the
// switch ports its edges' LANs plug into, so the edges' XDP-built ICMPv6
// errors reach the servers.
#pragma once

namespace meshfwd::loader {

// A new program fd (the caller closes it) or -errno.
int loadXdpPassProgram();

}  // namespace meshfwd::loader
