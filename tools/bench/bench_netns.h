// The benchmark runs in a network namespace of its own, so it needs no
// interface of the machine and changes nothing on it. A veth (this kernel
// has no dummy driver; a veth has carrier without a peer process, unlike a
// TUN) stands in for the routing tunnel, a real ifindex and MTU for the
// maps; another for the edge's LAN;
// and the namespace's routing table holds one route per site through it,
// as a relay's does (one per peer's AllowedIPs): bench_fib_tc then looks
// up a table of the same size as the egress map.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meshfwd::bench {

struct BenchNetns {
  uint32_t tunnelIfindex = 0;
  uint32_t tunnelMtu = 0;
  uint32_t lanIfindex = 0;  // a second dummy: the edge's LAN
};

// Moves this process into a new network namespace and builds the above.
// `sitePrefixes` are IPv6 /64s in text ("fd42:4242:4242:1::/64").
// Returns "" or what failed.
std::string enterBenchNetns(const std::vector<std::string>& sitePrefixes, uint32_t tunnelMtu, BenchNetns& out);

}  // namespace meshfwd::bench
