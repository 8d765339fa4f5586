// What the generator offers the router (issue 9): allowed mesh UDP, a flood
// of disallowed traffic (wrong port; wrong destination, outside the mesh),
// and a mix. Packets are IPv6 with valid checksums (conntrack in mode (b)
// calls a bad checksum invalid), source the generator's own address, and
// random destinations over every site (DESIGN.md 7).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/bench/bench_row.h"
#include "tools/bench/forward_topology.h"
#include "tools/bench/site_plan.h"

namespace meshfwd::bench {

enum class Load { Allowed, FloodWrongPort, FloodWrongDest, Mix };
inline constexpr Load kLoads[] = {Load::Allowed, Load::FloodWrongPort, Load::FloodWrongDest, Load::Mix};
const char* loadName(Load load);  // "allowed", "flood_wrong_port", ...

struct LoadPackets {
  Load load;
  std::vector<Packet> l3;  // IPv6, for the TUN
  std::vector<Packet> l2;  // the same framed for the generator's veth
};

// `count` packets per load; the mix is 1/2 allowed, 1/4 of each flood.
std::vector<LoadPackets> buildLoads(SitePlan& plan, uint32_t count, const MacAddr& genMac, const MacAddr& routerMac);

// CPU time the generator's thread and the machine's ksoftirqd threads spent
// while sending: the router's work happens in the softirq the send raises,
// on the sending thread (or, when deferred, in ksoftirqd), so this is the
// router's cost plus a per-packet generator cost the baseline cancels.
// Thread clocks are exact here, where /proc/stat samples at 250 Hz.
struct SendWindow {
  uint64_t sent = 0;
  double seconds = 0;        // wall time of the window
  double senderCpuNs = 0;    // CLOCK_THREAD_CPUTIME_ID of the sending thread
  double ksoftirqdCpuNs = 0; // all ksoftirqd/N, from /proc/PID/schedstat
  double cpuNsPerPacket() const { return sent ? (senderCpuNs + ksoftirqdCpuNs) / double(sent) : 0; }
};

struct PacedSend {
  uint32_t packetsPerSecond = 100000;
  double seconds = 1.0;
  int cpu = -1;  // pin the sending thread (-1: leave it)
};

// Sends `packets` round-robin at the paced rate, in 1 ms bursts, from a
// thread in netns `netns`: through an AF_PACKET socket bound to `ifname`
// (veth), or by write() to `tunFd` when it is >= 0. "" or the error.
std::string sendPaced(const std::string& netns, const std::string& ifname, int tunFd,
                      const std::vector<Packet>& packets, const PacedSend& pace, SendWindow& out);

}  // namespace meshfwd::bench
